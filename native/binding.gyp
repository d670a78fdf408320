{
  "targets": [
    {
      "target_name": "qaic_engine",
      "sources": [
        "src/engine/module.cc",
        "src/engine/ort.cc",
        "src/engine/status.cc",
        "src/engine/dtypes.cc",
        "src/engine/session_config.cc",
        "src/engine/shared_arena.cc",
        "src/engine/tensor_in.cc",
        "src/engine/tensor_out.cc",
        "src/engine/events.cc",
        "src/engine/pinning.cc",
        "src/engine/thread_affinity_js.cc",
        "src/engine/bench.cc",
        "src/engine/engine.cc",
        "src/engine/activation_wrap.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('com.github.asus4.onnxruntime/package.json')), 'Plugins', 'iOS~', 'onnxruntime.xcframework', 'ios-arm64', 'onnxruntime.framework', 'Headers')\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-O2", "-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
