// What error screens say: the code is shown once, with the table's text, and a
// peer's own words never reach the screen.
import { strict as assert } from 'node:assert';
import { tallyError } from '../../firmware/core/index.js';
import { errorText } from '../../firmware/ui/format.js';

describe('error text on screens', () => {
  it('drops the "E<code> NAME: " prefix of core errors', () => {
    const e = tallyError(4009, 'x');
    assert.match(e.message, /^E4009 /);
    assert.equal(errorText(e.message), 'the holder declined the payment (x)');
  });
  it('leaves other messages as they are', () => {
    assert.equal(errorText('Too many attempts: wait 30 s'), 'Too many attempts: wait 30 s');
    assert.equal(errorText('E12 short: not a core code'), 'E12 short: not a core code');
  });
});
