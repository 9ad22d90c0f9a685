import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineBroker } from '../../../src/main/electron/engine-broker.js';
import { FolderGrants, GRANT_TTL_MS } from '../../../src/main/electron/folder-grants.js';
import {
  CONFIRMING,
  DESKTOP_PICKS,
  MALFORMED_CALL,
  NOT_CONFIRMED,
  REFUSED_SENDER,
  RELATIVE_PATH,
  type Sender,
  createCallHandler,
  isTrustedSender,
} from '../../../src/main/electron/ipc.js';
import type { MethodName, Reply } from '../../../src/shared/api.js';
import { tempDir } from '../../fixtures.js';
import { forkFakeEngine, resultOf, waitFor } from './child.js';

const OURS: Sender = { fromOurWindow: true, topFrame: true, url: 'glimpse-app://app/index.html' };

// The handler forwards to a real broker driving a real child process (fake-engine.ts), which echoes
// what reached it: so these tests see exactly what a renderer message turns into on the engine's side.
describe('the IPC call handler', { timeout: 60_000 }, () => {
  const tmp = tempDir();
  const photos = join(tmp.path, 'photos');
  const picked: string[] = [];
  const shown: string[] = [];
  let pickerAnswer: () => Promise<string | null> = async () => '/home/me/Pictures';
  const broker = new EngineBroker({ spawn: () => forkFakeEngine({ FAKE_ENGINE_PHOTOS: photos, FAKE_ENGINE_HANG: 'albums' }) });
  const handle = createCallHandler({
    engine: broker,
    desktop: {
      pickFolder: () => {
        picked.push('asked');
        return pickerAnswer();
      },
      confirmAddFolder: async () => false,
      showItemInFolder: (path) => shown.push(path),
      pickExportFolder: async () => null,
    },
    timeoutFor: (method) => (method === 'albums' ? 250 : 10_000),
  });

  before(async () => {
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(photos, '7.jpg'), 'not really a jpeg');
    broker.start();
    await waitFor(() => broker.state === 'ready', 20_000, 'the engine');
  });
  after(async () => {
    await broker.close();
    tmp.remove();
  });

  it('forwards a valid call with its validated params (defaults filled in) and returns the reply', async () => {
    const { method, params } = resultOf(await handle(OURS, { method: 'search', params: { query: 'dogs on a beach' } }));
    assert.equal(method, 'search');
    assert.deepEqual(params, { query: 'dogs on a beach', limit: 100, offset: 0, favourites: false, sort: 'relevance', all: false, stacks: false });
    // No params at all is an empty object.
    assert.deepEqual(resultOf(await handle(OURS, { method: 'status' })).params, {});
  });

  it('refuses calls from anywhere but our window’s top frame showing the app document', async () => {
    const senders: Sender[] = [
      { ...OURS, fromOurWindow: false },
      { ...OURS, topFrame: false },
      { ...OURS, url: '' },
      { ...OURS, url: 'glimpse-app://app/other.html' },
      { ...OURS, url: 'glimpse-app://evil/index.html' },
      { ...OURS, url: 'glimpse-app://app.evil.com/index.html' },
      { ...OURS, url: 'https://evil.example/index.html' },
      { ...OURS, url: 'file:///tmp/index.html' },
      { ...OURS, url: 'about:blank' },
      { ...OURS, url: 'data:text/html,hi' },
      { fromOurWindow: 'yes', topFrame: 1, url: OURS.url } as unknown as Sender,
    ];
    for (const sender of senders) {
      assert.equal(isTrustedSender(sender), false, JSON.stringify(sender));
      assert.deepEqual(await handle(sender, { method: 'pickFolder', params: {} }), { ok: false, error: REFUSED_SENDER }, JSON.stringify(sender));
    }
    assert.equal(picked.length, 0, 'no refused call reached the folder picker');
    assert.equal(isTrustedSender(OURS), true);
    assert.equal(isTrustedSender({ ...OURS, url: 'glimpse-app://app/' }), true);
  });

  it('refuses malformed envelopes', async () => {
    const withProtoKey = JSON.parse('{"method":"status","params":{},"__proto__":{"polluted":true}}') as unknown;
    for (const message of [
      undefined,
      null,
      0,
      'status',
      ['status', {}],
      { method: 'status', params: {}, extra: 1 },
      withProtoKey,
      new Map([['method', 'status']]),
      new (class Call {
        method = 'status';
        params = {};
      })(),
    ]) {
      assert.deepEqual(await handle(OURS, message), { ok: false, error: MALFORMED_CALL }, String(message));
    }
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('refuses unknown methods, prototype names and bad params before the engine sees them', async () => {
    const cases: Array<[unknown, string]> = [
      [{ method: 'deleteEverything', params: {} }, 'unknown method "deleteEverything"'],
      [{ method: '__proto__', params: {} }, 'unknown method "__proto__"'],
      [{ method: 'constructor', params: {} }, 'unknown method "constructor"'],
      [{ method: 'hasOwnProperty', params: {} }, 'unknown method "hasOwnProperty"'],
      [{ method: 42, params: {} }, 'unknown method 42'],
      [{ params: {} }, 'unknown method undefined'],
      [{ method: 'photo', params: { id: -1 } }, 'The app sent a request about a photo that Glimpse cannot read (id: '],
      [{ method: 'photo', params: { id: 1.5 } }, 'The app sent a request about a photo that Glimpse cannot read (id: '],
      [{ method: 'photo', params: { id: '1' } }, 'The app sent a request about a photo that Glimpse cannot read (id: '],
      [{ method: 'photo', params: { id: 1, sql: 'DROP TABLE photos' } }, 'The app sent a request about a photo that Glimpse cannot read ('],
      [{ method: 'search', params: { query: 'x'.repeat(1001) } }, 'The search is too long: a query is at most 1,000 characters'],
      [{ method: 'search', params: 'dogs' }, 'The app sent a request about a search that Glimpse cannot read ('],
      [{ method: 'addFolder', params: { path: '' } }, "The folder's path is empty: "],
      [{ method: 'addFolder', params: { path: '/p', grant: 'not/a grant' } }, 'The app sent a request about adding a folder that Glimpse cannot read (grant: '],
      [{ method: 'addFolder', params: { path: '/p', grant: 7 } }, 'The app sent a request about adding a folder that Glimpse cannot read (grant: '],
      [{ method: 'setCaption', params: { id: 1, text: 'x'.repeat(2001) } }, 'The caption is too long: '],
      [{ method: 'status', params: { extra: true } }, "The app sent a request about the library's status that Glimpse cannot read ("],
    ];
    for (const [message, start] of cases) {
      const reply = await handle(OURS, message);
      assert.equal(reply.ok, false, JSON.stringify(message));
      if (!reply.ok) assert.ok(reply.error.startsWith(start), `${JSON.stringify(message)}: ${reply.error}`);
    }
  });

  it('answers pickFolder from the desktop, not the engine', async () => {
    picked.length = 0;
    const { path, grant } = resultOf<{ path: string; grant: string }>(await handle(OURS, { method: 'pickFolder', params: {} }));
    assert.equal(path, '/home/me/Pictures');
    assert.match(grant, /^[A-Za-z0-9_-]{43}$/, 'with the grant that lets the renderer add it');
    pickerAnswer = async () => null;
    assert.deepEqual(await handle(OURS, { method: 'pickFolder', params: {} }), { ok: true, result: { path: null } });
    pickerAnswer = async () => {
      throw new Error('no dialog today');
    };
    assert.deepEqual(await handle(OURS, { method: 'pickFolder', params: {} }), { ok: false, error: 'no dialog today' });
    assert.equal(picked.length, 3);
  });

  it('shows a photo in the file manager only when its file exists', async () => {
    shown.length = 0;
    assert.deepEqual(await handle(OURS, { method: 'openInFileManager', params: { id: 7 } }), { ok: true, result: { opened: true } });
    assert.deepEqual(shown, [join(photos, '7.jpg')]);
    assert.deepEqual(await handle(OURS, { method: 'openInFileManager', params: { id: 8 } }), { ok: true, result: { opened: false } });
    assert.equal(shown.length, 1);
  });

  it('gives a call the engine does not answer a clear error after its timeout', async () => {
    const startedAt = Date.now();
    assert.deepEqual(await handle(OURS, { method: 'albums', params: {} }), { ok: false, error: 'The library engine did not answer within 0.25 s.' });
    assert.ok(Date.now() - startedAt >= 240);
    // The engine is still there for the next call.
    assert.equal((await handle(OURS, { method: 'status', params: {} })).ok, true);
  });
});

describe('the default call timeouts', () => {
  it('give the slow calls longer than the 30 s default', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const broker = new EngineBroker({ spawn: () => forkFakeEngine() });
    const handle = createCallHandler({
      engine: {
        call: (method, params, options) => {
          seen.push([method, options?.timeoutMs]);
          return broker.call(method, params, options);
        },
      },
      desktop: { pickFolder: async () => null, confirmAddFolder: async () => true, showItemInFolder: () => undefined, pickExportFolder: async () => null },
    });
    broker.start();
    try {
      await handle(OURS, { method: 'status', params: {} });
      await handle(OURS, { method: 'addSampleLibrary', params: {} });
      await handle(OURS, { method: 'addFolder', params: { path: '/p' } });
    } finally {
      await broker.close();
    }
    assert.deepEqual(seen, [
      ['status', 30_000],
      ['addSampleLibrary', 300_000],
      ['addFolder', 120_000],
    ]);
  });
});

// A script in the window must not add any folder it likes: only the picker's path, with its one-time
// grant, or a path the user confirms in the main process's dialog. The engine side is the real broker
// and fake engine, which echoes what reached it.
describe('adding a folder through IPC', { timeout: 60_000 }, () => {
  const PICKED = '/home/me/Pictures';
  let now = 1_000_000;
  const grants = new FolderGrants({ now: () => now });
  /** What the confirmation dialog was asked, and its answer. */
  const asked: string[] = [];
  let confirm: (path: string) => Promise<boolean> = async () => false;
  let pickerAnswer = PICKED;
  /** The methods that reached the engine. */
  const reached: string[] = [];
  const broker = new EngineBroker({ spawn: () => forkFakeEngine() });
  const handle = createCallHandler({
    engine: {
      call: (method, params, options) => {
        reached.push(method);
        return broker.call(method, params, options);
      },
    },
    desktop: {
      pickFolder: async () => pickerAnswer,
      confirmAddFolder: (path) => {
        asked.push(path);
        return confirm(path);
      },
      showItemInFolder: () => undefined,
      pickExportFolder: async () => null,
    },
    grants,
  });
  const pick = async () => resultOf<{ path: string; grant: string }>(await handle(OURS, { method: 'pickFolder', params: {} })).grant;
  const add = (params: Record<string, unknown>) => handle(OURS, { method: 'addFolder', params });
  /** The path the engine was told to add. */
  const addedPath = (reply: Reply<MethodName>) => (resultOf(reply).params as { path: string }).path;
  const refusedWith = (reply: Reply<MethodName>, error: string, what: string) => assert.deepEqual(reply, { ok: false, error }, what);

  before(async () => {
    broker.start();
    await waitFor(() => broker.state === 'ready', 20_000, 'the engine');
  });
  after(() => broker.close());
  const reset = () => {
    asked.length = 0;
    reached.length = 0;
    confirm = async () => false;
    pickerAnswer = PICKED;
  };

  it('adds the picked folder with its grant, without asking again, and sends the engine the path the picker returned', async () => {
    reset();
    assert.equal(addedPath(await add({ path: PICKED, grant: await pick() })), PICKED);
    // Another spelling of the same folder: the engine still gets the picker's.
    assert.equal(addedPath(await add({ path: `${PICKED}/./`, grant: await pick() })), PICKED);
    assert.deepEqual(asked, []);
  });

  it('adds a path without a grant only when the user confirms it, and the path they saw', async () => {
    reset();
    refusedWith(await add({ path: '/' }), NOT_CONFIRMED, 'no grant, not confirmed');
    assert.deepEqual(asked, ['/']);
    assert.deepEqual(reached, [], 'the engine never heard of it');
    confirm = async () => true;
    assert.equal(addedPath(await add({ path: '/home/me/Pictures/../Videos/' })), '/home/me/Videos');
    assert.deepEqual(asked, ['/', '/home/me/Videos'], 'the dialog shows the folder itself, not the spelling');
  });

  it('refuses hostile grants: reused, for another path, for another folder, lapsed, made up', async () => {
    reset();
    // Reused.
    let grant = await pick();
    assert.equal(addedPath(await add({ path: PICKED, grant })), PICKED);
    refusedWith(await add({ path: PICKED, grant }), NOT_CONFIRMED, 'a used grant');
    // Presented with another path: refused, and burned for its own path too.
    grant = await pick();
    refusedWith(await add({ path: '/', grant }), NOT_CONFIRMED, 'a grant for another path');
    refusedWith(await add({ path: PICKED, grant }), NOT_CONFIRMED, 'a grant burned by a wrong path');
    // The grant of another picked folder.
    const pictures = await pick();
    pickerAnswer = '/home/me/Music';
    const music = await pick();
    refusedWith(await add({ path: PICKED, grant: music }), NOT_CONFIRMED, "another folder's grant");
    refusedWith(await add({ path: '/home/me/Music', grant: pictures }), NOT_CONFIRMED, "another folder's grant");
    // Lapsed.
    pickerAnswer = PICKED;
    grant = await pick();
    now += GRANT_TTL_MS;
    refusedWith(await add({ path: PICKED, grant }), NOT_CONFIRMED, 'a lapsed grant');
    // Made up.
    refusedWith(await add({ path: PICKED, grant: 'A'.repeat(43) }), NOT_CONFIRMED, 'a made-up grant');
    assert.equal(asked.length, 7, 'each fell back to asking the user, who said no');
    assert.deepEqual(reached, ['addFolder'], 'only the first, granted call reached the engine');
  });

  it('sees through path tricks: a grant covers its own folder and nothing above, below or beside it', async () => {
    reset();
    const tricks: Array<[string, string]> = [
      [`${PICKED}/..`, '/home/me'],
      [`${PICKED}/../..`, '/home'],
      [`${PICKED}/../../../..`, '/'],
      [`${PICKED}/sub`, `${PICKED}/sub`],
      [`${PICKED}2`, `${PICKED}2`],
      ['/HOME/ME/PICTURES', '/HOME/ME/PICTURES'],
      // Typed as in a shell: the user's home, as the user sees it in the dialog.
      ['~/Pictures', join(homedir(), 'Pictures')],
    ];
    for (const [path] of tricks) refusedWith(await add({ path, grant: await pick() }), NOT_CONFIRMED, path);
    assert.deepEqual(
      asked,
      tricks.map(([, folder]) => folder),
      'the user is asked about the folder each one names',
    );
    // Not a full path: refused before any dialog (the main process's working folder means nothing to the user).
    for (const path of ['Pictures', '../../etc', './', '~someone/Pictures', `${PICKED}\0`, `${PICKED}/\0/..`])
      refusedWith(await add({ path, grant: await pick() }), RELATIVE_PATH, JSON.stringify(path));
    assert.equal(asked.length, tricks.length);
    assert.deepEqual(reached, []);
  });

  it('asks one confirmation at a time', async () => {
    reset();
    let answer: (yes: boolean) => void = () => undefined;
    confirm = () => new Promise((resolve) => (answer = resolve));
    const first = add({ path: '/home/me/Videos' });
    await waitFor(() => asked.length === 1, 5_000, 'the dialog');
    refusedWith(await add({ path: '/' }), CONFIRMING, 'a second request while the dialog is open');
    answer(true);
    assert.equal(addedPath(await first), '/home/me/Videos');
    confirm = async () => false;
    refusedWith(await add({ path: '/' }), NOT_CONFIRMED, 'the next request is asked again');
    assert.deepEqual(asked, ['/home/me/Videos', '/']);
  });

  it('gives no grant when the picker was cancelled', async () => {
    reset();
    const cancelling = createCallHandler({
      engine: broker,
      desktop: { pickFolder: async () => null, confirmAddFolder: async () => false, showItemInFolder: () => undefined, pickExportFolder: async () => null },
      grants,
    });
    assert.deepEqual(await cancelling(OURS, { method: 'pickFolder', params: {} }), { ok: true, result: { path: null } });
  });
});

// Exporting copies the user's originals into a folder: in the desktop app that folder is always the one
// the user picks in the native picker the call opens, never a path the renderer names; web mode's
// folder browser is not offered (the desktop has its picker).
describe('exporting photos and browsing folders through IPC', { timeout: 60_000 }, () => {
  let pickerAnswer: string | null = '/home/me/Export';
  let picks = 0;
  const reached: Array<[string, unknown]> = [];
  const broker = new EngineBroker({ spawn: () => forkFakeEngine() });
  const handle = createCallHandler({
    engine: {
      call: (method, params, options) => {
        reached.push([method, params]);
        return broker.call(method, params, options);
      },
    },
    desktop: {
      pickFolder: async () => null,
      confirmAddFolder: async () => false,
      showItemInFolder: () => undefined,
      pickExportFolder: async () => {
        picks++;
        return pickerAnswer;
      },
    },
  });
  before(() => broker.start());
  after(() => broker.close());

  it('sends the engine the folder the user picked, with the ids', async () => {
    pickerAnswer = '/home/me/Export';
    reached.length = 0;
    const { method, params } = resultOf(await handle(OURS, { method: 'exportPhotos', params: { ids: [3, 5] } }));
    assert.equal(method, 'exportPhotos');
    assert.deepEqual(params, { ids: [3, 5], destination: '/home/me/Export' });
    assert.equal(picks, 1);
  });

  it('refuses a destination the renderer names, without asking the engine or opening the picker', async () => {
    reached.length = 0;
    const before = picks;
    for (const destination of ['/home/me/Export', '/etc', '../..', '/home/me/Export/../../../etc']) {
      const reply = await handle(OURS, { method: 'exportPhotos', params: { ids: [3], destination } });
      assert.deepEqual(reply, { ok: false, error: DESKTOP_PICKS });
    }
    assert.deepEqual(reached, []);
    assert.equal(picks, before);
  });

  it('copies nothing when the picker is cancelled', async () => {
    pickerAnswer = null;
    reached.length = 0;
    assert.deepEqual(await handle(OURS, { method: 'exportPhotos', params: { ids: [3] } }), { ok: true, result: { destination: null, copied: [], failed: [] } });
    assert.deepEqual(reached, []);
  });

  it('does not offer the web folder browser to the desktop window', async () => {
    reached.length = 0;
    for (const params of [{}, { path: '/home/me' }, { path: '/' }]) assert.deepEqual(await handle(OURS, { method: 'browseFolders', params }), { ok: false, error: DESKTOP_PICKS });
    assert.deepEqual(reached, []);
  });

  it('validates the ids before anything (not photos ids, repeated, none)', async () => {
    reached.length = 0;
    for (const ids of [[], [0], [-1], [1.5], ['1'], [4, 4]]) {
      const reply = await handle(OURS, { method: 'exportPhotos', params: { ids } });
      assert.equal(reply.ok, false, JSON.stringify(ids));
    }
    assert.deepEqual(reached, []);
  });
});
