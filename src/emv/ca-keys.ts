import type { CaPublicKeyConfig } from './types.js';
import published from './ca-keys.json' with { type: 'json' };

/**
 * Certification authority public keys the terminal ships with (EMV Book 2 §5.1): the schemes' public keys, test keys
 * included (Visa 92/94/95, Mastercard EF/F1/F3/FA), from `ca-keys.json` (source and checksums there; a unit test
 * re-verifies every checksum), plus the Mastercard index 05 key of the public ODA test material (lumag/emv-tools
 * on GitHub). A shop's configuration adds its acquirer's current list; the simulator's
 * test CA is added for the virtual cards.
 */
export const PUBLISHED_CA_KEYS: readonly CaPublicKeyConfig[] = [
  ...published.keys.filter((k) => !(k.rid === 'A000000003' && k.index === '01')),
  {
    rid: 'A000000003',
    index: '01',
    exponent: '03',
    expiry: '2009-12',
    modulus:
      'C696034213D7D8546984579D1D0F0EA519CFF8DEFFC429354CF3A871A6F7183F1228DA5C7470C055387100CB935A712C4E2864DF5D64BA93FE7E63E71F25B1E5F5298575EBE1C63AA617706917911DC2A75AC28B251C7EF40F2365912490B939BCA2124A30A28F54402C34AECA331AB67E1E79B285DD5771B5D9FF79EA630B75',
  },
  {
    rid: 'A000000004',
    index: '05',
    exponent: '03',
    modulus:
      'B8048ABC30C90D976336543E3FD7091C8FE4800DF820ED55E7E94813ED00555B573FECA3D84AF6131A651D66CFF4284FB13B635EDD0EE40176D8BF04B7FD1C7BACF9AC7327DFAA8AA72D10DB3B8E70B2DDD811CB4196525EA386ACC33C0D9D4575916469C4E4F53E8E1C912CC618CB22DDE7C3568E90022E6BBA770202E4522A2DD623D180E215BD1D1507FE3DC90CA310D27B3EFCCD8F83DE3052CAD1E48938C68D095AAC91B5F37E28BB49EC7ED597',
  },
];
