// Strings are UTF-8 on the wire: 2-, 3- and 4-byte characters, short and long, round-trip exactly; a lone surrogate
// (not valid UTF-16) is written as U+FFFD, as TextEncoder writes it.
import t from 'tap';
import { decodeTensor, encodeTensor } from '../../lib/onnx/model.js';
import { bytes, lenField, stringField } from './wire.js';

const names = ['plain_name', 'café', '名前', 'emoji 🙂 end', 'x'.repeat(100) + 'é', 'é'.repeat(40), ''];

for (const name of names) {
  t.test(`'${name.slice(0, 20)}' (${name.length} UTF-16 units)`, async (t) => {
    const file = bytes(stringField(8, name));
    t.same(encodeTensor({ name }), file, 'encoded as TextEncoder does');
    t.equal(decodeTensor(file).name, name, 'decoded back');
  });
}

t.test('a lone surrogate becomes U+FFFD', async (t) => {
  t.same(encodeTensor({ name: 'a\ud800b' }), bytes(lenField(8, [0x61, 0xef, 0xbf, 0xbd, 0x62])));
});
