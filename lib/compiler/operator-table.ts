/**
 * The ONNX operators onnxruntime's CPU execution provider has kernels for, by domain, with the opset versions each
 * kernel range covers. Data only, transcribed from onnxruntime's generated `docs/OperatorKernels.md`
 * ("Operators implemented by CPUExecutionProvider").
 *
 * Format: `'7-12,13,14+'` means kernels for versions 7 to 12, 13, and 14 onwards. Adjacent ranges with no gap are
 * merged (`'6+'` for 6-12 and 13+), because what matters to a model is whether its opset version is covered.
 *
 * Caveat (why compile also maps onnxruntime's own error): the document is generated from onnxruntime's main branch,
 * so an open range (`'14+'`) may reach opset versions a given release (1.30) does not yet register; and operators
 * that ONNX defines as functions (HardSwish, Mish, ...) have no kernel at all because onnxruntime inlines them.
 */
export const CPU_OPERATOR_TABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ai.onnx': {
    Abs: '6+', Acos: '7+', Acosh: '9+', Add: '7+', Affine: '1+', AffineGrid: '20+', And: '7+', ArgMax: '1+',
    ArgMin: '1+', Asin: '7+', Asinh: '9+', Atan: '7+', Atanh: '9+', Attention: '23+', AveragePool: '7+',
    BatchNormalization: '7+', BitShift: '11+', BitwiseAnd: '18+', BitwiseNot: '18+', BitwiseOr: '18+',
    BitwiseXor: '18+', BlackmanWindow: '17+', Cast: '6+', Ceil: '6+', Celu: '12+', Clip: '6+', Col2Im: '18+',
    Compress: '9+', Concat: '4+', ConcatFromSequence: '11+', ConstantOfShape: '9+', Conv: '1+', ConvInteger: '10+',
    ConvTranspose: '1+', Cos: '7+', Cosh: '9+', Crop: '1+', CumSum: '11+', DFT: '17+', DepthToSpace: '1+',
    DequantizeLinear: '10+', Det: '11+', Div: '7+', Dropout: '7+', DynamicQuantizeLinear: '11+', DynamicSlice: '1+',
    Einsum: '12+', Elu: '6+', Equal: '7+', Erf: '9+', Exp: '6+', Expand: '8+', EyeLike: '9+', Flatten: '1+',
    Floor: '6+', GRU: '7+', Gather: '1+', GatherElements: '11+', GatherND: '11+', Gelu: '20+', Gemm: '7+',
    GlobalAveragePool: '1+', GlobalLpPool: '2+', GlobalMaxPool: '1+', Greater: '7+', GreaterOrEqual: '12+',
    GridSample: '16+', HammingWindow: '17+', HannWindow: '17+', HardSigmoid: '6+', Hardmax: '1+', Identity: '1+',
    If: '1+', ImageScaler: '1+', InstanceNormalization: '6+', IsInf: '10+', IsNaN: '9+', LRN: '1+', LSTM: '7+',
    LayerNormalization: '1+', LeakyRelu: '6+', Less: '7+', LessOrEqual: '12+', Log: '6+', LogSoftmax: '1+',
    Loop: '1+', LpNormalization: '1+', LpPool: '2+', MatMul: '1+', MatMulInteger: '10+', Max: '6+', MaxPool: '1+',
    MaxRoiPool: '1+', MaxUnpool: '9+', Mean: '6+', MeanVarianceNormalization: '1+', MelWeightMatrix: '17+',
    MemcpyFromHost: '1+', MemcpyToHost: '1+', Min: '6+', Mod: '10+', Mul: '7+', Multinomial: '7+', Neg: '6+',
    NonZero: '9+', Not: '1+', OneHot: '9+', Optional: '15+', OptionalGetElement: '15+', OptionalHasElement: '15+',
    Or: '7+', PRelu: '7+', Pad: '2+', ParametricSoftplus: '1+', Pow: '7+', QLinearConv: '10+', QLinearMatMul: '10+',
    QuantizeLinear: '10+', RMSNormalization: '23+', RNN: '7+', RandomNormal: '1+', RandomNormalLike: '1+',
    RandomUniform: '1+', RandomUniformLike: '1+', Range: '11+', Reciprocal: '6+', ReduceL1: '1+', ReduceL2: '1+',
    ReduceLogSum: '1+', ReduceLogSumExp: '1+', ReduceMax: '1+', ReduceMean: '1+', ReduceMin: '1+', ReduceProd: '1+',
    ReduceSum: '1+', ReduceSumSquare: '1+', RegexFullMatch: '20+', Relu: '6+', Reshape: '1+', Resize: '10+',
    ReverseSequence: '10+', RoiAlign: '10+', RotaryEmbedding: '23+', Round: '11+', STFT: '17+', Scale: '1+',
    ScaledTanh: '1+', Scan: '8+', Scatter: '9-10', ScatterElements: '11+', ScatterND: '11+', Selu: '6+',
    SequenceAt: '11+', SequenceConstruct: '11+', SequenceEmpty: '11+', SequenceErase: '11+', SequenceInsert: '11+',
    SequenceLength: '11+', Shape: '1+', Shrink: '9+', Sigmoid: '6+', Sign: '9+', SimplifiedLayerNormalization: '1+',
    Sin: '7+', Sinh: '9+', Size: '1+', Slice: '1+', Softmax: '1+', Softplus: '1+', Softsign: '1+',
    SpaceToDepth: '1+', Split: '2+', SplitToSequence: '11+', Sqrt: '6+', Squeeze: '1+', StringConcat: '20+',
    StringNormalizer: '10+', StringSplit: '20+', Sub: '7+', Sum: '6+', Tan: '7+', Tanh: '6+', TensorScatter: '24+',
    TfIdfVectorizer: '9+', ThresholdedRelu: '1+', Tile: '6+', TopK: '1+', Transpose: '1+', Trilu: '14+',
    Unique: '11+', Unsqueeze: '1+', Upsample: '7-9', Where: '9+', Xor: '7+',
  },
  'ai.onnx.ml': {
    ArrayFeatureExtractor: '1+', Binarizer: '1+', CastMap: '1+', CategoryMapper: '1+', DictVectorizer: '1+',
    FeatureVectorizer: '1+', Imputer: '1+', LabelEncoder: '1+', LinearClassifier: '1+', LinearRegressor: '1+',
    Normalizer: '1+', OneHotEncoder: '1+', SVMClassifier: '1+', SVMRegressor: '1+', Scaler: '1+', TreeEnsemble: '5+',
    TreeEnsembleClassifier: '1+', TreeEnsembleRegressor: '1+', ZipMap: '1+',
  },
  'com.microsoft': {
    Attention: '1+', AttnLSTM: '1+', BeamSearch: '1+', BiasGelu: '1+', BifurcationDetector: '1+', CDist: '1+',
    ConvTransposeWithDynamicPads: '1+', CropAndResize: '1+', DecoderMaskedMultiHeadAttention: '1+',
    DequantizeLinear: '1+', DynamicQuantizeLSTM: '1+', DynamicQuantizeMatMul: '1+', DynamicTimeWarping: '1+',
    EmbedLayerNormalization: '1+', ExpandDims: '1+', FastGelu: '1+', FusedConv: '1+', FusedGemm: '1+',
    FusedMatMul: '1+', GatherBlockQuantized: '1+', GatherND: '1+', Gelu: '1+', GreedySearch: '1+', GridSample: '1+',
    GroupQueryAttention: '1+', Inverse: '1+', MatMulBnb4: '1+', MatMulFpQ4: '1+', MatMulInteger16: '1+',
    MatMulIntegerToFloat: '1+', MatMulNBits: '1+', MaxpoolWithMask: '1+', MoE: '1+', MultiHeadAttention: '1+',
    MurmurHash3: '1+', NGramRepeatBlock: '1+', NhwcMaxPool: '1+', Pad: '1+', QAttention: '1+',
    QEmbedLayerNormalization: '1+', QGemm: '1+', QLinearAdd: '1+', QLinearConv: '1+', QLinearLeakyRelu: '1+',
    QLinearMul: '1+', QLinearSigmoid: '1+', QLinearSoftmax: '1+', QLinearWhere: '1+', QMoE: '1+',
    QuantizeLinear: '1+', QuickGelu: '1+', Range: '1+', RotaryEmbedding: '1+', SampleOp: '1+', Sampling: '1+',
    SkipLayerNormalization: '1+', SkipSimplifiedLayerNormalization: '1+', SparseAttention: '1+',
    SparseToDenseMatMul: '1+', Tokenizer: '1+', TransposeMatMul: '1+', Trilu: '1+', UnfoldTensor: '1+', Unique: '1+',
    WhisperBeamSearch: '1+', WordConvEmbedding: '1+',
  },
  // The layout domain onnxruntime's own 'all'-level optimizer writes into optimized models.
  'com.microsoft.nchwc': {
    AveragePool: '1+', Conv: '1+', GlobalAveragePool: '1+', GlobalMaxPool: '1+', MaxPool: '1+', ReorderInput: '1+',
    ReorderOutput: '1+', Upsample: '1+',
  },
};
