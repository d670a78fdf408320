#include "tensor_out.h"

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
  out->value = std::move(value);
  return std::nullopt;
}

namespace {

void ReleaseValueFinalizer(napi_env /*env*/, void* /*data*/, void* hint) {
  // Runs whenever V8 collects the buffer, possibly after its activation closed: the OrtApi table outlives both.
  ValuePtr owned(static_cast<OrtValue*>(hint));
}

}  // namespace

Napi::Object OutputToJs(Napi::Env env, OutputTensor& tensor) {
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

  size_t count = 1;
  for (int64_t d : tensor.dims) count *= static_cast<size_t>(d);
  const size_t byte_length = count * tensor.dtype->bytes;
  void* data = nullptr;
  if (byte_length > 0 && tensor.value) {
    if (Check(Api().GetTensorMutableData(tensor.value.get(), &data))) data = nullptr;
  }

  napi_value buffer = nullptr;
  napi_status status = napi_generic_failure;
  if (data != nullptr) {
    status = napi_create_external_arraybuffer(env, data, byte_length, ReleaseValueFinalizer, tensor.value.get(), &buffer);
    if (status == napi_ok) {
      // the finalizer owns it now
      static_cast<void>(tensor.value.release());
    }
  }
  if (status != napi_ok) {
    // napi_no_external_buffers_allowed (V8 sandbox), or nothing to point at: copy, then let the value go.
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
