"""PyTorch (eager, CPU) side of the comparison: nn.Sequential + torch.optim.SGD,
a new permutation every epoch, batches gathered by tensor indexing. NCHW, or
with --channels-last the CNN's weights and images in channels-last memory
order (PyTorch's faster CPU layout for convolutions; framework "torch-cl")."""

import time

import common

args = common.parse_args()

# Imported after the argument check, so that --help works without torch.
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)


def network(workload):
    if workload == "w1":
        net = nn.Sequential(nn.Linear(784, 10), nn.Sigmoid())
    elif workload == "w2":
        net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
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
            nn.init.zeros_(m.bias)
    return net


def main():
    spec = common.WORKLOADS[args.workload]
    batch = spec["batch"]
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = common.load_mnist(args.data)
    x, xt = torch.from_numpy(x_train), torch.from_numpy(x_test)
    if args.workload == "w3":
        x, xt = x.view(-1, 1, 28, 28), xt.view(-1, 1, 28, 28)
        if args.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
            xt = xt.contiguous(memory_format=torch.channels_last)
    if args.workload == "w1":
        targets, loss_fn = torch.from_numpy(common.one_hot(y_train)), F.mse_loss
    else:
        targets, loss_fn = torch.from_numpy(y_train), F.cross_entropy
    net = network(args.workload)
    if args.channels_last and args.workload == "w3":
        net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=spec["lr"], momentum=spec["momentum"])
    gen = torch.Generator().manual_seed(args.seed)

    n = x.shape[0]
    seconds, losses = [], []
    for epoch in range(args.epochs):
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
        losses.append(float(torch.stack(batch_losses).mean()))
        common.log(f"torch {args.workload} epoch {epoch + 1}: {seconds[-1]:.3f} s, loss {losses[-1]:.4f}")

    net.eval()
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
    )


main()
