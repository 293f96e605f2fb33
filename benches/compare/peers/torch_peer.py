"""PyTorch (eager, CPU) side of the comparison: nn.Sequential + torch.optim.SGD
(w1-w3) or Adam with StepLR (w4), a new permutation every epoch, batches
gathered by tensor indexing. NCHW, or with --channels-last the CNNs' weights
and images in channels-last memory order (PyTorch's faster CPU layout for
convolutions; framework "torch-cl")."""

import time

import common

args = common.parse_args("torch", lr_schedule=True)

# Imported after the argument check, so that --help works without torch.
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)


# The workloads whose inputs are images [B, 1, 28, 28] rather than vectors of 784.
CONV_WORKLOADS = ("w3", "w4")


def conv_bn_relu(c_in, c_out):
    """3x3 convolution keeping the size, without bias (the batch norm's shift replaces it), then
    batch norm (PyTorch's defaults: eps 1e-5, momentum 0.1, weight 1, bias 0) and ReLU."""
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


def network(workload):
    if workload == "w1":
        net = nn.Sequential(nn.Linear(784, 10), nn.Sigmoid())
    elif workload == "w2":
        net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    elif workload == "w4":
        # Four blocks of 16, 32, 64 and 128 channels, a max pool after each of the first three
        # (28 -> 14 -> 7 -> 3), then the global average pool.
        layers, c_in = [], 1
        for i, c_out in enumerate((16, 32, 64, 128)):
            layers += conv_bn_relu(c_in, c_out)
            if i < 3:
                layers.append(nn.MaxPool2d(2))
            c_in = c_out
        net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))
    else:
        net = nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(1600, 10),
        )
    # Glorot-uniform weights (conv fans = channels x 3 x 3, as Keras) and zero biases, as everywhere.
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net


def optimizer(spec, params):
    if spec["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=spec["lr"], betas=spec["betas"], eps=spec["eps"])
    return torch.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])


def main():
    spec = common.recipe(args)
    batch = spec["batch"]
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = common.load_mnist(args.data)
    x, xt = torch.from_numpy(x_train), torch.from_numpy(x_test)
    conv = args.workload in CONV_WORKLOADS
    if conv:
        x, xt = x.view(-1, 1, 28, 28), xt.view(-1, 1, 28, 28)
        if args.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
            xt = xt.contiguous(memory_format=torch.channels_last)
    if args.workload == "w1":
        targets, loss_fn = torch.from_numpy(common.one_hot(y_train)), F.mse_loss
    else:
        targets, loss_fn = torch.from_numpy(y_train), F.cross_entropy
    net = network(args.workload)
    if args.channels_last and conv:
        net = net.to(memory_format=torch.channels_last)
    opt = optimizer(spec, net.parameters())
    # The rate is divided by 10 every lr_step epochs (stepped once per epoch, after it).
    schedule = torch.optim.lr_scheduler.StepLR(opt, spec["lr_step"], gamma=0.1) if spec["lr_step"] else None
    gen = torch.Generator().manual_seed(args.seed)

    n = x.shape[0]
    seconds, losses, rates = [], [], []
    for epoch in range(args.epochs):
        rates.append(opt.param_groups[0]["lr"])
        began = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        batch_losses = []
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[idx]), targets[idx])
            loss.backward()
            opt.step()
            batch_losses.append(loss.detach())
        seconds.append(time.perf_counter() - began)
        if schedule:
            schedule.step()
        losses.append(float(torch.stack(batch_losses).mean()))
        common.log(
            f"torch {args.workload} epoch {epoch + 1}: {seconds[-1]:.3f} s, loss {losses[-1]:.4f}, lr {rates[-1]:g}"
        )

    net.eval()  # batch norm on its running statistics
    with torch.no_grad():
        pred = torch.cat([net(xt[i : i + 1000]).argmax(1) for i in range(0, xt.shape[0], 1000)])
    acc = float((pred.numpy() == y_test).mean())
    common.write_result(
        args,
        "torch-cl" if args.channels_last else "torch",
        torch.__version__,
        n,
        seconds,
        losses,
        acc,
        threads=torch.get_num_threads(),
        interop_threads=torch.get_num_interop_threads(),
        batch=spec["batch"],
        optimizer=spec["optimizer"],
        lr_per_epoch=rates,
    )


main()
