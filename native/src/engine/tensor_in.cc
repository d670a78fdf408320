#include "tensor_in.h"

#include "dtypes.h"
#include "status.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace qaic {
namespace {

bool ReadDims(Napi::Value v, const std::string& what, std::vector<int64_t>* dims, size_t* count, std::string* error) {
  if (!v.IsArray()) {
    *error = what + ": dims must be an array of non-negative integers";
    return false;
  }
  Napi::Array array = v.As<Napi::Array>();
  size_t total = 1;
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value d = array.Get(i);
    const double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
    if (!(x >= 0 && x <= 9007199254740991.0 && std::floor(x) == x)) {
      *error = what + ": dims[" + std::to_string(i) + "] must be a non-negative integer";
      return false;
    }
    const auto dim = static_cast<size_t>(x);
    // overflow of the element count: far beyond any allocation, refuse it instead of wrapping
    if (dim != 0 && total > (size_t{1} << 48) / dim) {
      *error = what + ": dims describe more than 2^48 elements";
      return false;
    }
    total *= dim;
    dims->push_back(static_cast<int64_t>(x));
  }
  *count = total;
  return true;
}

std::string DimsText(const std::vector<int64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); i++) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

}  // namespace

namespace {

bool ReadInTensor(Napi::Value value, const std::string& what, ValuePtr* out, std::string* error) {
  if (!value.IsObject()) {
    *error = what + " must be a tensor object {type, dims, data}";
    return false;
  }
  Napi::Object tensor = value.As<Napi::Object>();
  Napi::Value type_value = tensor.Get("type");
  const DTypeInfo* dtype = type_value.IsString() ? DTypeByName(type_value.As<Napi::String>().Utf8Value()) : nullptr;
  if (dtype == nullptr) {
    *error = what + ": type must be one of " + DTypeNames() + ", got " +
             (type_value.IsString() ? "'" + type_value.As<Napi::String>().Utf8Value() + "'" : std::string("a non-string"));
    return false;
  }
  std::vector<int64_t> dims;
  size_t count = 0;
  if (!ReadDims(tensor.Get("dims"), what, &dims, &count, error)) return false;
  Napi::Value data = tensor.Get("data");

  const OrtApi& api = Api();
  OrtAllocator* allocator = nullptr;
  if (auto f = Check(api.GetAllocatorWithDefaultOptions(&allocator))) {
    *error = what + ": " + f->message;
    return false;
  }

  if (dtype->onnx == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    if (!data.IsArray()) {
      *error = what + ": a string tensor's data must be an array of strings";
      return false;
    }
    Napi::Array array = data.As<Napi::Array>();
    if (array.Length() != count) {
      *error = what + ": dims " + DimsText(dims) + " hold " + std::to_string(count) + " elements, data has " +
               std::to_string(array.Length());
      return false;
    }
    std::vector<std::string> strings(count);
    std::vector<const char*> pointers(count);
    for (uint32_t i = 0; i < count; i++) {
      Napi::Value s = array.Get(i);
      if (!s.IsString()) {
        *error = what + ": element " + std::to_string(i) + " of a string tensor is not a string";
        return false;
      }
      strings[i] = s.As<Napi::String>().Utf8Value();
      // onnxruntime takes C strings: an embedded NUL would silently cut the element short
      if (std::memchr(strings[i].data(), '\0', strings[i].size()) != nullptr) {
        *error = what + ": element " + std::to_string(i) + " contains a NUL character, which onnxruntime's string tensors cannot hold";
        return false;
      }
      pointers[i] = strings[i].c_str();
    }
    OrtValue* raw = nullptr;
    if (auto f = Check(api.CreateTensorAsOrtValue(allocator, dims.data(), dims.size(), dtype->onnx, &raw))) {
      *error = what + ": " + f->message;
      return false;
    }
    ValuePtr created(raw);
    if (auto f = Check(api.FillStringTensor(created.get(), pointers.data(), pointers.size()))) {
      *error = what + ": " + f->message;
      return false;
    }
    *out = std::move(created);
    return true;
  }

  if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != dtype->array) {
    *error = what + ": " + dtype->name + " data must be a " + dtype->array_name;
    return false;
  }
  Napi::TypedArray array = data.As<Napi::TypedArray>();
  if (array.ElementLength() != count) {
    *error = what + ": dims " + DimsText(dims) + " hold " + std::to_string(count) + " elements, data has " +
             std::to_string(array.ElementLength());
    return false;
  }
  OrtValue* raw = nullptr;
  if (auto f = Check(api.CreateTensorAsOrtValue(allocator, dims.data(), dims.size(), dtype->onnx, &raw))) {
    *error = what + ": " + f->message;
    return false;
  }
  ValuePtr created(raw);
  if (count > 0) {
    void* target = nullptr;
    if (auto f = Check(api.GetTensorMutableData(created.get(), &target))) {
      *error = what + ": " + f->message;
      return false;
    }
    const auto* source = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
    std::memcpy(target, source, count * dtype->bytes);
  }
  *out = std::move(created);
  return true;
}

}  // namespace

bool CopyInTensor(Napi::Value value, const std::string& what, ValuePtr* out, std::string* error) {
  return ReadInTensor(value, what, out, error);
}

}  // namespace qaic
