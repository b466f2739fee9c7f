import { checkImage, parseImageReference } from '../../lib';

const HEX = '86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';

describe('image references', () => {
  test('parses registry, repository, tag and digest', () => {
    expect(parseImageReference(`registry.example.com:5000/functions/price:1.2@sha256:${HEX}`)).toEqual({
      registry: 'registry.example.com:5000', repository: 'functions/price', tag: '1.2', digest: `sha256:${HEX}`,
    });
    expect(parseImageReference('library/price')).toEqual({ registry: undefined, repository: 'library/price', tag: undefined, digest: undefined });
  });

  test.each(['UPPER/case', 'price::1', 'price@sha256:abc', 'price@md5:' + HEX, '/price', 'price/'])('"%s" is malformed', (image) => {
    expect(parseImageReference(image)).toBeUndefined();
  });

  test('digest-pinned references pass; tags need allowMutableTag', () => {
    expect(checkImage('image', `price@sha256:${HEX}`, false)).toBeUndefined();
    expect(checkImage('image', 'price:1.0', false)).toMatch(/uses the mutable tag 1.0/);
    expect(checkImage('image', 'price:1.0', true)).toBeUndefined();
  });
});
