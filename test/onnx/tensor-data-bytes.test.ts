import t from 'tap';
import { tensorDataBytes, makeTensorProto } from '../../lib/onnx/model.js';
import { OnnxDataType } from '../../lib/onnx/schema.js';

t.test('tensor data bytes follow the element type, wherever the data is stored', async (t) => {
  t.equal(tensorDataBytes(makeTensorProto('w', 'float32', [2, 3], new Float32Array(6))), 24, 'raw_data');
  t.equal(tensorDataBytes({ name: 'h', data_type: OnnxDataType.FLOAT16, dims: [5], int32_data: new Int32Array(5) }), 10,
    'float16 bit patterns kept one per int32 count 2 bytes each, not 4');
  t.equal(tensorDataBytes({ name: 'f', data_type: OnnxDataType.FLOAT, dims: [4], float_data: new Float32Array(4) }), 16, 'float_data');
  t.equal(tensorDataBytes({ name: 'l', data_type: OnnxDataType.INT64, dims: [3], int64_data: [1n, 2n, 3n] as never }), 24, 'int64_data');
  t.equal(tensorDataBytes({ name: 'e', data_type: OnnxDataType.FLOAT, dims: [1000], data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }, { key: 'length', value: '4000' }] }), 4000, 'external data: its length');
  t.equal(tensorDataBytes({ name: 's', data_type: OnnxDataType.STRING, dims: [2], string_data: [new Uint8Array(3), new Uint8Array(4)] }), 7, 'strings: their bytes');
});
