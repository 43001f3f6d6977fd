import assert from 'node:assert/strict';
import { adultOn, checkCharOf, maskIdNumber, maskRealName, parseIdNumber, parseRealName } from '../../src/accounts/identity.number.ts';
import { IdentityVault } from '../../src/accounts/identity.vault.ts';
import { idNumber } from '../support/identity.ts';

const KEY_A = 'a'.repeat(64);
const KEY_B = Buffer.alloc(32, 7).toString('base64');

describe('identity numbers and names (GB 11643)', () => {
  it('computes the check character of the standard example and of generated numbers', () => {
    assert.equal(checkCharOf('11010519491231002'), 'X');
    const id = idNumber('2000-02-29');
    assert.equal(checkCharOf(id.slice(0, 17)), id[17]);
    assert.deepEqual(parseIdNumber('11010519491231002x', '2031-01-01'), { value: '11010519491231002X', birthDate: '1949-12-31' });
  });

  it('never repeats the number in a refusal', () => {
    for (const bad of ['11010519491231002', '110105194912310021', idNumber('1949-13-01'), idNumber('2040-01-01')]) {
      assert.throws(() => parseIdNumber(bad, '2031-01-01'), (e: Error) => /^idNumber: /.test(e.message) && !e.message.includes(bad.slice(0, 10)));
    }
  });

  it('accepts plausible names only', () => {
    assert.equal(parseRealName('  张  三 '), '张 三');
    for (const ok of ['李四', '买买提·艾力', 'Anna Müller', 'José García']) assert.equal(parseRealName(ok), ok);
    for (const bad of ['张', 'x'.repeat(31), 'Li4', 'Li.Si', '张\u0000三', '·张三', '张三·']) assert.throws(() => parseRealName(bad), (e: Error) => e.message.startsWith('realName: '), bad);
  });

  it('masks, and dates the 18th birthday (29 February: 1 March)', () => {
    assert.equal(maskIdNumber('11010519491231002X'), '1****************X');
    assert.equal(maskRealName('欧阳娜娜'), '欧***');
    assert.equal(adultOn('2012-02-29'), '2030-03-01');
    assert.equal(adultOn('2013-07-15'), '2031-07-15');
  });
});

describe('identity vault', () => {
  it('seals with the key id, opens only in the same row and field, and detects tampering', () => {
    const vault = new IdentityVault({ key: KEY_A });
    const sealed = vault.seal('11010519491231002X', '1:id');
    assert.match(sealed, new RegExp(`^v1\\.${vault.keyId}\\.`));
    assert.notEqual(vault.seal('11010519491231002X', '1:id'), sealed, 'a fresh IV every time');
    assert.equal(vault.open(sealed, '1:id'), '11010519491231002X');
    assert.throws(() => vault.open(sealed, '2:id'));
    assert.throws(() => vault.open(sealed, '1:name'));
    const body = sealed.split('.');
    body[3] = `${body[3]!.slice(0, -2)}${body[3]!.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.throws(() => vault.open(body.join('.'), '1:id'));
  });

  it('rotates: the previous key still opens and matches; without it, old values do not open', () => {
    const old = new IdentityVault({ key: KEY_A });
    const sealed = old.seal('secret', 'u:id');
    const rotating = new IdentityVault({ key: KEY_B, previousKey: KEY_A });
    assert.notEqual(rotating.keyId, old.keyId);
    assert.equal(rotating.open(sealed, 'u:id'), 'secret');
    assert.deepEqual(rotating.hashes('11010519491231002X'), [rotating.hash('11010519491231002X'), old.hash('11010519491231002X')]);
    assert.notEqual(rotating.hash('x'), old.hash('x'), 'the hash key changes with the key');
    assert.throws(() => new IdentityVault({ key: KEY_B }).open(sealed, 'u:id'), /not configured/);
  });
});
