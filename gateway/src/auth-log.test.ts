import { describe, expect, it } from 'vitest';
import { requestLogSerializer } from './auth-log.js';

describe('request log serializer', () => {
  it('keeps the request but not its credentials', () => {
    const logged = requestLogSerializer({
      id: 'r1',
      method: 'GET',
      url: '/ws?session=a&token=io_secret&x=1',
      headers: {
        host: '127.0.0.1:3000',
        authorization: 'Bearer io_secret',
        cookie: 'a=b',
        'user-agent': 'curl',
      },
    });
    expect(logged).toEqual({
      id: 'r1',
      method: 'GET',
      url: '/ws?session=a&token=[redacted]&x=1',
      headers: {
        host: '127.0.0.1:3000',
        authorization: '[redacted]',
        cookie: '[redacted]',
        'user-agent': 'curl',
      },
    });
    expect(requestLogSerializer({ url: '/api/sessions', headers: {} })).toEqual({
      url: '/api/sessions',
      headers: {},
    });
  });
});
