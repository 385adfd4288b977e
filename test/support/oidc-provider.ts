import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Adapter, Configuration, Provider } from 'oidc-provider';

// The provider's own in-memory storage, which is all a test needs; as a subclass, so the
// provider does not warn (at each start) that it falls back to it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MemoryAdapter = require('oidc-provider/lib/adapters/memory_adapter') as new (name: string) => Adapter;
class TestAdapter extends MemoryAdapter {}

/** Claims of a person at the provider; `sub` is their id there. */
export interface ProviderAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

/**
 * A real OpenID Connect provider for tests: oidc-provider 7 (certified OpenID Connect
 * implementation) on 127.0.0.1, with an RS256 key made for the run, one confidential client
 * (client_secret_basic, PKCE S256 required) and accounts the test adds. Its login page is
 * replaced by an interaction that finishes at once for `nextAccount` (the person "signs in"),
 * or, with `refuseNext`, ends with error=access_denied (they cancel).
 */
export class TestOidcProvider {
  readonly clientId = 'dhr-engine-test';
  readonly clientSecret = randomBytes(24).toString('base64url');
  readonly accounts = new Map<string, ProviderAccount>();
  nextAccount: string | null = null;
  refuseNext = false;
  private provider!: Provider;
  private server!: Server;
  issuer = '';

  private constructor(readonly redirectUris: string[]) {}

  static async start(redirectUris: string[]): Promise<TestOidcProvider> {
    const p = new TestOidcProvider(redirectUris);
    await p.listen();
    return p;
  }

  addAccount(account: ProviderAccount): ProviderAccount {
    this.accounts.set(account.sub, account);
    return account;
  }

  private async listen(): Promise<void> {
    this.server = createServer();
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };
    const configuration: Configuration = {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: this.redirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [jwk as never] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
      // The ID token carries the scope's claims (as Entra ID's and most providers' do).
      conformIdTokenClaims: false,
      pkce: { methods: ['S256'], required: () => true },
      features: { devInteractions: { enabled: false } },
      adapter: TestAdapter,
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const account = this.accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: () => ({ ...account }) };
      },
    };
    this.provider = new Provider(this.issuer, configuration);
    this.provider.on('server_error', (_ctx: unknown, error: unknown) => {
      // eslint-disable-next-line no-console
      console.error('test OIDC provider error', error);
    });
    const handle = this.provider.callback();
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith('/interaction/')) {
        this.interact(req, res).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
        return;
      }
      void handle(req, res);
    });
  }

  /** The "login page": signs `nextAccount` in and consents to what was asked, or refuses. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (this.refuseNext || !this.nextAccount) {
      this.refuseNext = false;
      await this.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled the sign-in' }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = this.nextAccount;
    const clientId = String(details.params.client_id);
    const grant = new this.provider.Grant({ accountId, clientId });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await this.provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  /**
   * A browser at the provider: GETs `url` and follows the provider's own redirects (keeping its
   * cookies) until it is sent to a URL outside the provider, which it returns (the callback).
   */
  async follow(url: string): Promise<string> {
    const jar = new Map<string, string>();
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      if (!next.startsWith(this.issuer)) return next;
      const res = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const header of res.headers.getSetCookie()) {
        const [pair] = header.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
      next = new URL(location, next).toString();
    }
    throw new Error('too many redirects at the provider');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
