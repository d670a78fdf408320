#include "tensor_out.h"

#include <atomic>
#include <cstring>

namespace qaic {

std::optional<OrtFailure> TakeOutput(std::string name, ValuePtr value, OutputTensor* out) {
  const OrtApi& api = Api();
  out->name = std::move(name);
  int is_tensor = 0;
  if (auto f = Check(api.IsTensor(value.get(), &is_tensor))) return f;
  if (!is_tensor) return EngineFailure("output '" + out->name + "' is not a tensor (sequences and maps are not supported)");
  OrtTensorTypeAndShapeInfo* raw_info = nullptr;
  if (auto f = Check(api.GetTensorTypeAndShape(value.get(), &raw_info))) return f;
  TensorTypeAndShapeInfoPtr info(raw_info);
  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  if (auto f = Check(api.GetTensorElementType(info.get(), &element))) return f;
  out->dtype = DTypeByOnnx(element);
  if (out->dtype == nullptr) {
    return EngineFailure("output '" + out->name + "' has onnxruntime element type " + std::to_string(element) +
                         ", which the engine does not carry (supported: " + DTypeNames() + ")");
  }
  size_t rank = 0;
  if (auto f = Check(api.GetDimensionsCount(info.get(), &rank))) return f;
  out->dims.resize(rank);
  if (rank > 0) {
    if (auto f = Check(api.GetDimensions(info.get(), out->dims.data(), rank))) return f;
  }
  if (element == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    size_t count = 0;
    if (auto f = Check(api.GetTensorShapeElementCount(info.get(), &count))) return f;
    size_t total = 0;
    if (auto f = Check(api.GetStringTensorDataLength(value.get(), &total))) return f;
    std::vector<char> bytes(total);
    std::vector<size_t> offsets(count);
    if (count > 0) {
      if (auto f = Check(api.GetStringTensorContent(value.get(), bytes.data(), total, offsets.data(), count))) return f;
    }
    out->strings.reserve(count);
    for (size_t i = 0; i < count; i++) {
      const size_t end = i + 1 < count ? offsets[i + 1] : total;
      out->strings.emplace_back(bytes.data() + offsets[i], end - offsets[i]);
    }
    return std::nullopt;
  }
  size_t count = 0;
  if (auto f = Check(api.GetTensorShapeElementCount(info.get(), &count))) return f;
  out->byte_length = count * out->dtype->bytes;
  if (out->byte_length > 0) {
    if (auto f = Check(api.GetTensorMutableData(value.get(), &out->data))) return f;
  }
  out->value = std::move(value);
  return std::nullopt;
}

namespace {

// output values owned by an external ArrayBuffer's finalizer
std::atomic<int64_t> held_output_values{0};

// The size of a value's data, read back in the finalizer to give the external memory accounting back.
size_t DataBytes(const OrtValue* value) {
  OrtTensorTypeAndShapeInfo* raw = nullptr;
  if (Check(Api().GetTensorTypeAndShape(value, &raw))) return 0;
  TensorTypeAndShapeInfoPtr info(raw);
  size_t count = 0;
  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  if (Check(Api().GetTensorShapeElementCount(info.get(), &count)) || Check(Api().GetTensorElementType(info.get(), &element))) return 0;
  const DTypeInfo* dtype = DTypeByOnnx(element);
  return dtype == nullptr ? 0 : count * dtype->bytes;
}

void ReleaseValueFinalizer(napi_env env, void* /*data*/, void* hint) {
  // Runs on the JS thread whenever V8 collects the buffer, possibly after its activation closed: the OrtApi table
  // outlives both, and the tensor keeps its allocator alive.
  ValuePtr owned(static_cast<OrtValue*>(hint));
  held_output_values.fetch_sub(1, std::memory_order_relaxed);
  const auto bytes = static_cast<int64_t>(DataBytes(owned.get()));
  int64_t ignored = 0;
  if (env != nullptr && bytes > 0) napi_adjust_external_memory(env, -bytes, &ignored);
}

}  // namespace

const size_t kCopyBelowBytes = 4096;

int64_t HeldOutputValues() { return held_output_values.load(std::memory_order_relaxed); }

Napi::Object OutputToJs(Napi::Env env, OutputTensor& tensor, bool copy) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("type", Napi::String::New(env, tensor.dtype->name));
  Napi::Array dims = Napi::Array::New(env, tensor.dims.size());
  for (uint32_t i = 0; i < tensor.dims.size(); i++) dims.Set(i, Napi::Number::New(env, static_cast<double>(tensor.dims[i])));
  out.Set("dims", dims);

  if (tensor.dtype->onnx == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    Napi::Array strings = Napi::Array::New(env, tensor.strings.size());
    for (uint32_t i = 0; i < tensor.strings.size(); i++) strings.Set(i, Napi::String::New(env, tensor.strings[i]));
    out.Set("data", strings);
    return out;
  }

  const size_t byte_length = tensor.byte_length;
  const size_t count = byte_length / tensor.dtype->bytes;
  void* data = tensor.data;

  napi_value buffer = nullptr;
  napi_status status = napi_generic_failure;
  // Small outputs are copied even when external buffers are allowed: an external buffer costs a finalizer, a weak
  // handle for V8 to process and onnxruntime memory held until its collection, more than copying a few KiB (PP-OCR cls,
  // 8-byte output, 2 activations, 5 alternating pairs on a quiet 2-core VM: 14 % less main-thread CPU per run and 3 %
  // more throughput; outputs of 16-64 KiB measured slower copied).
  if (data != nullptr && !copy && byte_length >= kCopyBelowBytes) {
    status = napi_create_external_arraybuffer(env, data, byte_length, ReleaseValueFinalizer, tensor.value.get(), &buffer);
    if (status == napi_ok) {
      // the finalizer owns it now
      static_cast<void>(tensor.value.release());
      held_output_values.fetch_add(1, std::memory_order_relaxed);
      // V8 does not count external backing stores: without this it would see a few bytes per run and collect
      // rarely, while each uncollected output holds onnxruntime memory (hundreds of MiB over 20,000 small runs)
      int64_t ignored = 0;
      napi_adjust_external_memory(env, static_cast<int64_t>(byte_length), &ignored);
    }
  }
  if (status != napi_ok) {
    // copies asked for, napi_no_external_buffers_allowed (V8 sandbox), or nothing to point at: copy, then let the
    // value go.
    Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, byte_length);
    if (data != nullptr && byte_length > 0) std::memcpy(copy.Data(), data, byte_length);
    buffer = copy;
    tensor.value.reset();
  }
  napi_value typed = nullptr;
  napi_create_typedarray(env, tensor.dtype->array, count, buffer, 0, &typed);
  out.Set("data", Napi::Value(env, typed));
  return out;
}

}  // namespace qaic
