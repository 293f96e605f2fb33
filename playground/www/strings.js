// Every text the page shows, in English and in Brazilian Portuguese, the course's language.
// The two objects have the same keys; a text that includes numbers is a function of them,
// with the same arguments in both languages. The Portuguese terms are the course's
// (docs/glossario.md).
//
// index.html names the text of an element with data-t="group.key" (data-t-title and
// data-t-label for its title and aria-label); language.js fills them in. The other texts are
// written by the code that shows them. Messages of the Sinapse engine itself (its errors) stay
// in English, after a translated prefix.

const en = {
  locale: 'en-US',        // numbers: 60,000 and 0.25
  decimalPoint: '.',

  page: {
    title: 'Sinapse playground: watch a network learn MNIST',
    heading: 'Sinapse playground',
    lead: 'The course\'s networks learn handwritten digits (MNIST) live in your browser. '
      + 'Training runs in Sinapse, compiled to WebAssembly, on this computer.',
    language: 'Language',
    settingsNote: 'Changing any setting builds a fresh network (new random weights) and clears the curves.',
  },

  run: {
    legend: 'Run',
    start: 'Start',
    pause: 'Pause',
    reset: 'Reset',
    step: 'Step',
    stepsTitle: 'updates per step',
    updates: 'updates',
    resetHint: 'Reset: the same starting weights again (same seed).',
  },

  presets: {
    legend: 'Presets',
    course: 'Course MLP',
    zero: 'Zero initialization',
    zeroHint: 'Zero initialization: MLP, sigmoid, all weights 0. Watch the symmetry line under the weights.',
  },

  network: {
    legend: 'Network',
    architecture: 'Architecture',
    perceptron: 'Perceptron (784 → 10)',
    mlp: 'MLP (784 → 128 → 10)',
    cnn: 'Course CNN (conv 32 → conv 64 → 10)',
    activation: 'Activation',
    sigmoid: 'sigmoid',
    tanh: 'tanh',
    relu: 'ReLU',
    activationHidden: 'Used by the hidden layers.',
    activationPerceptronMse: 'The perceptron has no hidden layer: the activation is applied to its ten outputs.',
    activationPerceptronCrossEntropy: 'Not used: the perceptron has no hidden layer and cross-entropy uses '
      + 'softmax outputs.',
    loss: 'Loss',
    mse: 'mean squared error (sigmoid outputs)',
    crossEntropy: 'cross-entropy (softmax outputs)',
    init: 'Weight initialization',
    zeros: 'zeros',
    normal: 'normal',
    uniform: 'uniform',
    glorotCourse: 'Glorot, course: U(±1/√fan-in)',
    glorot: 'Glorot (Keras default)',
    l2: 'L2 regularization λ',
  },

  descent: {
    legend: 'Gradient descent',
    mode: 'Mode',
    batch: 'batch (all training images per update)',
    stochastic: 'stochastic (one image per update)',
    minibatch: 'minibatch',
    batchHint: 'Each update averages the gradient over every training image used: slow but smooth. '
      + 'Use fewer training images to make it faster.',
    stochasticHint: 'Each update follows a single image: fast and noisy.',
    minibatchHint: 'Each update averages the gradient over a small random batch.',
    batchSize: 'Minibatch size',
    lr: 'Learning rate',
    trainSize: 'Training images used',
    seed: 'Random seed',
  },

  curves: {
    title: 'Learning curves',
    hint: 'Measured on 1000 training images and on 1000 held-out test images the network never trains on. '
      + 'If the training curve keeps improving while the held-out one stalls, the network is memorizing '
      + '(overfitting).',
    heldoutAccuracy: 'held-out accuracy',
    trainAccuracy: 'training accuracy',
    lastLoss: 'last loss',
    lossChart: 'loss against updates',
    accuracyChart: 'accuracy against updates',
    // on the charts
    updates: 'updates',
    loss: 'loss',
    accuracy: 'accuracy',
    sliceLoss: 'training loss (each slice)',
    training: 'training',
    heldout: 'held-out',
  },

  weights: {
    title: 'Weights',
    perceptronTitle: 'Weights of the ten output units',
    perceptronHint: 'Each picture is one class\'s 784 weights laid out as the image: red pixels push towards '
      + 'the class, blue pixels away from it. With training they start to look like the digits (clearest from '
      + 'zero initialization, which works here: each output unit gets its own gradient).',
    mlpTitle: 'Weights of the first 16 hidden units',
    mlpHint: 'Each picture is one hidden unit\'s 784 input weights: the pattern of ink it responds to '
      + '(red: ink here raises its input, blue: lowers it).',
    scale: (range) => `colour scale ${range}`,
    allZero: 'all values are 0',
    // The symmetry line: how many of the units have different weights.
    units: (total, distinct, output) => `${total} ${output ? 'output' : 'hidden'} units, ${distinct} distinct`,
    stillIdentical: ' — still all identical: training has not separated them',
    allIdentical: ' — all identical',
    difference: (value) => ` (largest weight difference from the first unit: ${value})`,
    symmetryHint: 'Units with identical weights compute the same thing: a network of identical units is no '
      + 'better than one unit.',
    perceptronSymmetryHint: 'How many of the 10 output units have different weights.',
    mlpSymmetryHint: 'Hidden units with identical weights compute the same thing: with zero initialization '
      + 'they also get the same gradient and never separate, so the whole layer is worth one unit.',
  },

  cnn: {
    title: 'Convolution: first layer',
    filtersHint: 'The 32 filters (3×3) of the first convolution. Each slides over the image and answers '
      + 'strongly where the image looks like it: edges and strokes in some direction.',
    testImage: 'Test image #',
    label: 'label',
    mapsHint: 'Its 32 feature maps (26×26, after the activation): where each filter found its pattern.',
  },

  draw: {
    title: 'Draw a digit',
    hint: 'Draw with the mouse or a finger, about half as tall as the box. The drawing is cut to its ink, '
      + 'scaled to 20×20 and centred in 28×28, as MNIST digits were: that small picture is what the network '
      + 'sees (a very tall drawing becomes a thin digit).',
    area: 'drawing area',
    clear: 'Clear',
    networkSees: 'the network sees',
    prediction: 'prediction',
    outputs: 'Outputs',
    probabilities: 'Outputs: softmax probabilities',
    probabilitiesHint: 'The probabilities sum to 1; the largest is the prediction.',
    sigmoids: 'Outputs: sigmoid activations',
    sigmoidsHint: 'With mean squared error each output is trained towards 1 for its class and 0 for the '
      + 'others; the largest is the prediction.',
    hidden: 'Hidden layer',
    perceptronHiddenHint: 'The perceptron has none: its outputs are computed straight from the pixels.',
    mlpHidden: 'Hidden layer: 128 activations',
    mlpHiddenHint: 'One cell per hidden unit (red: positive, blue: negative). These 128 numbers are all the '
      + 'output layer sees.',
    cnnHidden: 'Feature maps of the drawing',
    cnnHiddenHint: 'The first convolution\'s 32 maps for your drawing, after the activation.',
    hiddenCaption: (count, low, high, zeros, scale) => `${count} hidden units, values from ${low} to ${high}`
      + (zeros ? ` (${zeros} exactly 0)` : '') + `; colour scale ${scale}`,
  },

  status: {
    networks: { perceptron: 'perceptron', mlp: 'MLP', cnn: 'CNN' },
    loading: (step) => `Loading: ${step}`,
    loadingStart: 'Loading…',
    engine: 'starting the WebAssembly engine…',
    download: 'downloading MNIST (11 MB)…',
    decompress: 'decompressing and checking MNIST…',
    ready: (name, parameters) => `Ready: ${name}, ${parameters} parameters. Press Start or Step.`,
    training: (name, progress) => `Training ${name}: ${progress}`,
    paused: (progress) => `Paused: ${progress}`,
    progress: (updates, epoch) => `${updates} updates · epoch ${epoch}`,
    speed: (images) => ` · ${images} images/s`,
    error: 'Error: see the message below the title.',
    diverged: ' · the loss diverged: lower the learning rate',
  },

  // What was going on when an error happened: "<context>: <the message>".
  errors: {
    engine: 'loading the WebAssembly engine (pkg/)',
    download: 'downloading MNIST',
    read: 'reading MNIST',
    settings: 'invalid settings',
    training: 'training',
    message: (type) => type, // handling the page's message of that type
    stopped: ' (the engine stopped; reload the page)',
    worker: 'the training worker failed',
    workerMissing: 'the training worker failed: could not load worker.js or pkg/',
    unexpected: 'unexpected message from the worker',
  },
};

const pt = {
  locale: 'pt-BR',        // números: 60.000 e 0,25
  decimalPoint: ',',

  page: {
    title: 'Playground do Sinapse: veja uma rede neural aprender o MNIST',
    heading: 'Playground do Sinapse',
    lead: 'As redes do curso aprendem dígitos manuscritos (MNIST) ao vivo no seu navegador. '
      + 'O treinamento roda no Sinapse, compilado para WebAssembly, neste computador.',
    language: 'Idioma',
    settingsNote: 'Mudar qualquer ajuste cria uma rede nova (novos pesos aleatórios) e apaga as curvas.',
  },

  run: {
    legend: 'Execução',
    start: 'Iniciar',
    pause: 'Pausar',
    reset: 'Reiniciar',
    step: 'Avançar',
    stepsTitle: 'atualizações a cada Avançar',
    updates: 'atualizações',
    resetHint: 'Reiniciar: os mesmos pesos iniciais de novo (mesma semente).',
  },

  presets: {
    legend: 'Predefinições',
    course: 'MLP do curso',
    zero: 'Inicialização com zeros',
    zeroHint: 'Inicialização com zeros: MLP, sigmoide, todos os pesos 0. Observe a linha de simetria abaixo '
      + 'dos pesos.',
  },

  network: {
    legend: 'Rede',
    architecture: 'Arquitetura',
    perceptron: 'Perceptron (784 → 10)',
    mlp: 'MLP (784 → 128 → 10)',
    cnn: 'CNN do curso (conv 32 → conv 64 → 10)',
    activation: 'Função de ativação',
    sigmoid: 'sigmoide',
    tanh: 'tangente hiperbólica (tanh)',
    relu: 'ReLU',
    activationHidden: 'Usada pelas camadas ocultas.',
    activationPerceptronMse: 'O perceptron não tem camada oculta: a ativação é aplicada às suas dez saídas.',
    activationPerceptronCrossEntropy: 'Não usada: o perceptron não tem camada oculta e a entropia cruzada '
      + 'usa saídas softmax.',
    loss: 'Função de perda',
    mse: 'erro quadrático médio (saídas sigmoides)',
    crossEntropy: 'entropia cruzada (saídas softmax)',
    init: 'Inicialização dos pesos',
    zeros: 'zeros',
    normal: 'normal',
    uniform: 'uniforme',
    glorotCourse: 'Glorot do curso: U(±1/√n), n entradas',
    glorot: 'Glorot (padrão do Keras)',
    l2: 'Regularização ℓ2 (λ)',
  },

  descent: {
    legend: 'Gradiente descendente',
    mode: 'Modo',
    batch: 'em lote (todas as imagens de treinamento a cada atualização)',
    stochastic: 'estocástico (uma imagem por atualização)',
    minibatch: 'em minilotes',
    batchHint: 'Cada atualização usa o gradiente médio de todas as imagens de treinamento usadas: lento, '
      + 'mas suave. Use menos imagens de treinamento para ir mais rápido.',
    stochasticHint: 'Cada atualização segue uma única imagem: rápido e ruidoso.',
    minibatchHint: 'Cada atualização usa o gradiente médio de um minilote aleatório.',
    batchSize: 'Tamanho do minilote',
    lr: 'Taxa de aprendizado',
    trainSize: 'Imagens de treinamento usadas',
    seed: 'Semente aleatória',
  },

  curves: {
    title: 'Curvas de aprendizado',
    hint: 'Medidas em 1000 imagens de treinamento e em 1000 imagens do conjunto de teste, que a rede nunca '
      + 'vê no treinamento (dados não vistos). Se a curva de treinamento continua melhorando enquanto a de '
      + 'teste estaciona, a rede está decorando (sobreajuste).',
    heldoutAccuracy: 'acurácia no teste',
    trainAccuracy: 'no treinamento',
    lastLoss: 'última perda',
    lossChart: 'perda em função das atualizações',
    accuracyChart: 'acurácia em função das atualizações',
    updates: 'atualizações',
    loss: 'perda',
    accuracy: 'acurácia',
    sliceLoss: 'perda no treinamento (cada trecho)',
    training: 'treinamento',
    heldout: 'teste',
  },

  weights: {
    title: 'Pesos',
    perceptronTitle: 'Pesos das dez unidades de saída',
    perceptronHint: 'Cada imagem mostra os 784 pesos de uma classe dispostos como a imagem: pixels vermelhos '
      + 'puxam para a classe, pixels azuis afastam dela. Com o treinamento eles começam a parecer os dígitos '
      + '(mais nítidos a partir da inicialização com zeros, que aqui funciona: cada unidade de saída recebe o '
      + 'seu próprio gradiente).',
    mlpTitle: 'Pesos das 16 primeiras unidades ocultas',
    mlpHint: 'Cada imagem mostra os 784 pesos de entrada de uma unidade oculta: o padrão de tinta a que ela '
      + 'responde (vermelho: tinta aqui aumenta a sua entrada; azul: diminui).',
    scale: (range) => `escala de cores ${range}`,
    allZero: 'todos os valores são 0',
    units: (total, distinct, output) => `${total} unidades ${output ? 'de saída' : 'ocultas'}, `
      + `${distinct} ${distinct === 1 ? 'distinta' : 'distintas'}`,
    stillIdentical: ' — ainda todas idênticas: o treinamento não as separou',
    allIdentical: ' — todas idênticas',
    difference: (value) => ` (maior diferença de peso em relação à primeira unidade: ${value})`,
    symmetryHint: 'Unidades com pesos idênticos calculam a mesma coisa: uma rede de unidades idênticas não é '
      + 'melhor que uma única unidade.',
    perceptronSymmetryHint: 'Quantas das 10 unidades de saída têm pesos diferentes.',
    mlpSymmetryHint: 'Unidades ocultas com pesos idênticos calculam a mesma coisa: com a inicialização com '
      + 'zeros elas também recebem o mesmo gradiente e nunca se separam, e a camada inteira vale uma unidade.',
  },

  cnn: {
    title: 'Convolução: primeira camada',
    filtersHint: 'Os 32 filtros (3×3) da primeira convolução. Cada um desliza sobre a imagem e responde forte '
      + 'onde a imagem se parece com ele: bordas e traços em alguma direção.',
    testImage: 'Imagem de teste nº',
    label: 'rótulo',
    mapsHint: 'Os seus 32 mapas de características (26×26, depois da ativação): onde cada filtro encontrou o '
      + 'seu padrão.',
  },

  draw: {
    title: 'Desenhe um dígito',
    hint: 'Desenhe com o mouse ou com o dedo, com cerca de metade da altura da caixa. O desenho é recortado '
      + 'em volta da tinta, reduzido a 20×20 e centrado em 28×28, como foram os dígitos do MNIST: essa '
      + 'pequena imagem é o que a rede vê (um desenho muito alto vira um dígito fino).',
    area: 'área de desenho',
    clear: 'Apagar',
    networkSees: 'a rede vê',
    prediction: 'previsão',
    outputs: 'Saídas',
    probabilities: 'Saídas: probabilidades (softmax)',
    probabilitiesHint: 'As probabilidades somam 1; a maior é a previsão.',
    sigmoids: 'Saídas: ativações sigmoides',
    sigmoidsHint: 'Com o erro quadrático médio, cada saída é treinada para dar 1 na sua classe e 0 nas '
      + 'outras; a maior é a previsão.',
    hidden: 'Camada oculta',
    perceptronHiddenHint: 'O perceptron não tem camada oculta: as suas saídas são calculadas direto dos pixels.',
    mlpHidden: 'Camada oculta: 128 ativações',
    mlpHiddenHint: 'Uma célula por unidade oculta (vermelho: positiva, azul: negativa). Esses 128 números são '
      + 'tudo o que a camada de saída vê.',
    cnnHidden: 'Mapas de características do desenho',
    cnnHiddenHint: 'Os 32 mapas da primeira convolução para o seu desenho, depois da ativação.',
    hiddenCaption: (count, low, high, zeros, scale) => `${count} unidades ocultas, valores de ${low} a ${high}`
      + (zeros ? ` (${zeros} exatamente 0)` : '') + `; escala de cores ${scale}`,
  },

  status: {
    networks: { perceptron: 'perceptron', mlp: 'MLP', cnn: 'CNN' },
    loading: (step) => `Carregando: ${step}`,
    loadingStart: 'Carregando…',
    engine: 'iniciando o motor WebAssembly…',
    download: 'baixando o MNIST (11 MB)…',
    decompress: 'descompactando e verificando o MNIST…',
    ready: (name, parameters) => `Pronto: ${name}, ${parameters} parâmetros. Clique em Iniciar ou Avançar.`,
    training: (name, progress) => `Treinando ${name}: ${progress}`,
    paused: (progress) => `Pausado: ${progress}`,
    progress: (updates, epoch) => `${updates} atualizações · época ${epoch}`,
    speed: (images) => ` · ${images} imagens/s`,
    error: 'Erro: veja a mensagem abaixo do título.',
    diverged: ' · a perda divergiu: diminua a taxa de aprendizado',
  },

  errors: {
    engine: 'ao carregar o motor WebAssembly (pkg/)',
    download: 'ao baixar o MNIST',
    read: 'ao ler o MNIST',
    settings: 'ajustes inválidos',
    training: 'durante o treinamento',
    message: (type) => `ao tratar a mensagem '${type}'`,
    stopped: ' (o motor parou; recarregue a página)',
    worker: 'o worker de treinamento falhou',
    workerMissing: 'o worker de treinamento falhou: não foi possível carregar worker.js ou pkg/',
    unexpected: 'mensagem inesperada do worker de treinamento',
  },
};

export const STRINGS = { en, pt };
