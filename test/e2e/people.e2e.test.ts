/**
 * People, end to end in Chromium on real photos of real faces (test/fixtures/faces: Jesper's eight solo
 * photos, other people alone and in groups, photos without a face): a folder added in the Library view is
 * indexed and looked at for faces; People shows the faces grouped into people; the one with Jesper's
 * photos is named (a name with no letters is refused in the engine's words first); a search for the name
 * shows the person as a chip and only their photos; the viewer draws the named face's box, "Not Jesper"
 * takes the face from him and naming it again gives it back; his page lists his photos, renames in place
 * and hides him; Settings asks before turning People off. Screenshots go to test-output/e2e-people/.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiHost } from '../../src/main/host/api-host.js';
import type { WebServer } from '../../src/main/web/server.js';
import { tempDir } from '../fixtures.js';
import { type AppInBrowser, noChromium, openInBrowser } from './web-app.js';

const FACES = join(process.cwd(), 'test', 'fixtures', 'faces');
const SHOTS = join(process.cwd(), 'test-output', 'e2e-people');
/** The fixture folders copied into the library: every photo of the set. */
const FOLDERS = ['labelled', 'groups', 'no-faces', 'unlabelled'];
/** The fixture photos Jesper is in (his solo photos and the groups), by the set's manifest. */
const JESPER = new Set(
  (JSON.parse(readFileSync(join(FACES, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; identities: string[] }> }).files
    .filter((f) => f.identities.includes('jesper'))
    .map((f) => f.path),
);

describe('people, in a browser', { skip: noChromium }, () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Family');
  let host: ApiHost;
  let app: AppInBrowser;
  let server: WebServer | undefined;
  let page: Page;
  let step = 0;
  /** Jesper's person id, once People has grouped his faces. */
  let jesper = 0;
  const shot = async (name: string) => {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
  };
  const pathOf = (id: number) => host.engine.stores.photos.photo(id)!.path;
  const photosOf = (person: number) => host.engine.stores.people.photosOf(person);
  /** The round faces of People have loaded and faded in. */
  const facesShown = async () => {
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="person"] img')].every((i) => i.complete && i.naturalWidth > 0 && i.classList.contains('shown')),
    );
    await page.waitForTimeout(250);
  };
  const tileIds = () => page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-id'))));

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    for (const folder of FOLDERS) cpSync(join(FACES, folder), join(library, folder), { recursive: true });
    host = await ApiHost.open({
      dataDir: join(tmp.path, 'data'),
      device: 'cpu',
      captions: false,
      ocr: false,
      watch: false,
      onEvent: (event, data) => server?.broadcast(event, data),
    });
    app = await openInBrowser(host);
    ({ server, page } = app);
  });
  after(async () => {
    await app?.close();
    await host?.close();
    tmp.remove();
  });

  it('adds a folder in the Library view, indexes it and looks for faces, then shows People', { timeout: 300_000 }, async () => {
    await page.goto(server!.loginUrl);
    await page.getByTestId('nav-people').click();
    await page.getByTestId('people-empty').waitFor();
    assert.match((await page.getByTestId('people-empty').textContent()) ?? '', /People appear once a face is found in a few photos/);
    await shot('people-empty');

    await page.getByTestId('nav-library').click();
    await page.getByTestId('folder-path-input').fill(library);
    await page.getByTestId('add-folder').click();
    // Indexing, then the faces phase, then idle: every photo looked at.
    await page.locator('[data-testid="progress"]:not([data-phase="idle"])').waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 240_000;
    while (host.engine.people().status.unscanned > 0 || host.engine.people().status.scanned === 0 || host.engine.status().progress.phase !== 'idle') {
      assert.ok(Date.now() < deadline, `faces were looked for: ${JSON.stringify(host.engine.people().status)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await page.locator('[data-testid="progress"][data-phase="idle"]').waitFor();
    const status = host.engine.people().status;
    assert.ok(status.faces >= 10, `faces were found: ${JSON.stringify(status)}`);

    await page.getByTestId('nav-people').click();
    await page.getByTestId('person').first().waitFor();
    const cards = await page.getByTestId('person').evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), photos: Number(e.getAttribute('data-photos')) })));
    const most = [...cards].sort((a, b) => b.photos - a.photos)[0]!;
    assert.ok(most.photos >= 4, `someone is in several photos: ${JSON.stringify(cards)}`);
    // The person in the most photos is Jesper (eight solo photos, four groups): most of theirs have him in them.
    const his = photosOf(most.id).filter((id) => JESPER.has(pathOf(id).slice(library.length + 1)));
    assert.ok(his.length >= Math.ceil(most.photos * 0.75), `${most.id} is Jesper: ${photosOf(most.id).map(pathOf).join(', ')}`);
    jesper = most.id;
    // Where finding faces stands, once the page has the library's status after the job.
    await page
      .getByTestId('people-status')
      .filter({ hasText: `${status.faces} faces found in the ${status.scanned} photos looked at` })
      .waitFor();
    assert.doesNotMatch((await page.getByTestId('people-status').textContent()) ?? '', /still to look at/);
    // Round faces cut from the thumbnails have loaded.
    await facesShown();
    await shot('people-found');
  });

  it('names a person in place: the engine refuses a name without letters in words, then takes "Jesper"', async () => {
    const card = page.locator(`[data-testid="person"][data-id="${jesper}"]`);
    await card.getByTestId('name-person').click();
    const field = card.getByTestId('person-name-input');
    assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the field takes the focus');
    await field.fill('123');
    await field.press('Enter');
    const error = card.getByTestId('person-name-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'The person\'s name cannot be used: "123" has no letters: a name must be something you can search for');
    await shot('name-refused');
    await field.fill('Jesper');
    await field.press('Enter');
    await page.locator(`[data-testid="person"][data-id="${jesper}"][data-name="Jesper"]`).waitFor();
    assert.equal(host.engine.person(jesper).name, 'Jesper');
    // Named people come first.
    assert.equal(await page.getByTestId('person').first().getAttribute('data-name'), 'Jesper');
    await shot('named-jesper');
  });

  it('searches for the name: a chip for Jesper, only his photos, and the chip takes him out of the search', async () => {
    await page.getByTestId('search-input').fill('Jesper');
    const chip = page.locator('[data-testid="query-chip"][data-kind="person"][data-label="Jesper"]');
    await chip.waitFor();
    await page.getByTestId('result').first().waitFor();
    const shown = await tileIds();
    assert.deepEqual([...shown].sort(), [...photosOf(jesper)].sort(), 'every photo with him, and only those');
    assert.match((await page.getByTestId('result').first().getAttribute('title')) ?? '', /with Jesper/);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="result"] img')].every((i) => i.complete));
    await shot('search-jesper');

    await page.getByTestId('search-input').fill('Jesper at the beach');
    await page.getByTestId('search-summary').filter({ hasText: 'at the beach' }).waitFor();
    await chip.getByTestId('query-chip-remove').click();
    await page.getByTestId('query-chips').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('search-input').inputValue(), 'at the beach');
    await shot('search-without-jesper');
  });

  it("draws the faces in the viewer; 'Not Jesper' takes a face from him, and naming it gives it back", async () => {
    await page.getByTestId('search-input').fill('Jesper');
    await page.locator('[data-testid="query-chip"][data-kind="person"][data-label="Jesper"]').waitFor();
    const before = photosOf(jesper);
    const first = page.getByTestId('result').first();
    const photoId = Number(await first.getAttribute('data-id'));
    await first.click();
    await page.locator(`[data-testid="viewer"][data-id="${photoId}"]`).waitFor();
    await page.locator('[data-testid="face-chip"][data-name="Jesper"]').waitFor();
    await page.getByTestId('toggle-faces').click();
    const box = page.locator('[data-testid="face-box"][data-name="Jesper"]');
    await box.waitFor();
    await shot('viewer-faces');

    const face = Number(await box.getAttribute('data-face'));
    await box.click();
    const popover = page.getByTestId('face-popover');
    await popover.waitFor();
    await shot('viewer-face-popover');
    // Escape closes the popover, not the viewer; the box opens it again.
    await popover.getByTestId('face-name-input').press('Escape');
    await popover.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('viewer').count(), 1, 'the viewer stays open');
    await box.click();
    await popover.waitFor();
    await popover.getByTestId('face-not').click();
    await popover.waitFor({ state: 'detached' });
    const rejected = page.locator(`[data-testid="face-box"][data-face="${face}"]`);
    assert.equal(await rejected.getAttribute('data-name'), '', 'the box no longer names him');
    assert.ok(!photosOf(jesper).includes(photoId), 'the photo left his photos');
    assert.equal(photosOf(jesper).length, before.length - 1);
    await shot('viewer-not-jesper');

    // The results follow: the photo is no longer one of his.
    await page.getByTestId('close-viewer').click();
    await page.waitForFunction((id) => ![...document.querySelectorAll('[data-testid="result"]')].some((t) => t.getAttribute('data-id') === String(id)), photoId);

    // Named again from the viewer (the photo opened from the timeline), with the name offered while typing.
    await page.getByTestId('search-input').fill('');
    const tile = page.locator(`[data-testid="timeline-tile"][data-id="${photoId}"]`);
    await page.getByTestId('timeline-tile').first().waitFor();
    for (let i = 0; i < 40 && (await tile.count()) === 0; i++) {
      await page.getByTestId('timeline').evaluate((el) => el.scrollBy(0, 300));
      await page.waitForTimeout(100);
    }
    await tile.click();
    await page.locator(`[data-testid="viewer"][data-id="${photoId}"]`).waitFor();
    await page.locator(`[data-testid="face-chip"][data-face="${face}"]`).click();
    await popover.waitFor();
    await popover.getByTestId('face-name-input').fill('jes');
    await popover.locator('[data-testid="face-suggestion"]', { hasText: 'Jesper' }).click();
    await page.locator(`[data-testid="face-chip"][data-face="${face}"][data-name="Jesper"]`).waitFor();
    assert.ok(photosOf(jesper).includes(photoId), 'the photo is his again');
    await shot('viewer-named-again');
    await page.getByTestId('close-viewer').click();
  });

  it("opens Jesper's page: his photos newest first, rename in place (Escape keeps the name), merge picker, hide", async () => {
    await page.getByTestId('nav-people').click();
    await page.locator(`[data-testid="person"][data-id="${jesper}"] button`).first().click();
    const pageOf = page.getByTestId('person-page');
    await pageOf.waitFor();
    await page.getByTestId('result').first().waitFor();
    assert.deepEqual([...(await tileIds())].sort(), [...photosOf(jesper)].sort());
    assert.match((await page.getByTestId('person-summary').textContent()) ?? '', new RegExp(`^${photosOf(jesper).length} photos, newest first$`));
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="result"] img')].every((i) => i.complete));
    await shot('person-page');
    // The keyboard moves through his photos and opens one, as in search results.
    const ids = await tileIds();
    await page.keyboard.press('ArrowRight');
    await page.locator(`[data-testid="result"][data-index="1"]`).and(page.locator(':focus')).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="viewer"][data-id="${ids[1]}"]`).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.locator(`[data-testid="viewer"][data-id="${ids[2]}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('viewer').waitFor({ state: 'detached' });

    await page.getByTestId('rename-person').click();
    await page.getByTestId('person-name-input').fill('Somebody else');
    await page.getByTestId('person-name-input').press('Escape');
    await page.getByTestId('person-name').waitFor();
    assert.equal(await page.getByTestId('person-name').textContent(), 'Jesper');
    assert.equal(host.engine.person(jesper).name, 'Jesper');

    await page.getByTestId('merge-person').click();
    await page.getByTestId('merge-picker').waitFor();
    assert.ok((await page.getByTestId('merge-choice').count()) >= 1, 'the others are offered');
    await page.getByTestId('merge-choice').first().click();
    await page.getByTestId('merge-confirm').waitFor();
    await shot('merge-confirm');
    await page.getByTestId('merge-picker').press('Escape');
    await page.getByTestId('merge-picker').press('Escape');
    await page.getByTestId('merge-picker').waitFor({ state: 'detached' });

    // The face that shows him, chosen from his faces.
    const cover = host.engine.person(jesper).cover!.face;
    await page.getByTestId('choose-cover').click();
    await page.getByTestId('cover-choice').first().waitFor();
    assert.equal(await page.getByTestId('cover-choice').count(), host.engine.person(jesper).faces, 'each of his faces is offered');
    assert.equal(await page.locator(`[data-testid="cover-choice"][aria-pressed="true"]`).count(), 1, 'the cover now is marked');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="cover-choice"] img')].every((i) => i.complete && i.naturalWidth > 0));
    await shot('cover-picker');
    await page.locator('[data-testid="cover-choice"][aria-pressed="false"]').first().click();
    await page.getByTestId('cover-picker').waitFor({ state: 'detached' });
    assert.notEqual(host.engine.person(jesper).cover!.face, cover, 'another face shows him');

    await page.getByTestId('hide-person').click();
    await page.getByTestId('hide-person').filter({ hasText: 'Show in People' }).waitFor();
    assert.equal(host.engine.person(jesper).hidden, true);
    await page.getByTestId('people-back').click();
    const hidden = page.getByTestId('hidden-people');
    await hidden.waitFor();
    assert.equal(await hidden.evaluate((d) => (d as HTMLDetailsElement).open), false, 'the Hidden section starts closed');
    await hidden.locator('summary').click();
    await hidden.locator(`[data-testid="person"][data-id="${jesper}"]`).waitFor();
    await facesShown();
    await shot('people-hidden');
    await hidden.locator(`[data-testid="person"][data-id="${jesper}"] button`).first().click();
    await page.getByTestId('hide-person').click();
    await page.getByTestId('hide-person').filter({ hasText: 'Hide' }).waitFor();
    assert.equal(host.engine.person(jesper).hidden, false);
  });

  it('asks before turning People off in Settings, and says faces never leave this computer', async () => {
    await page.getByTestId('nav-settings').click();
    const settings = page.getByTestId('people-settings');
    await settings.waitFor();
    assert.match((await settings.textContent()) ?? '', /never leave this computer/);
    await page.getByTestId('people-toggle').click();
    await page.getByTestId('people-off-confirm').waitFor();
    assert.equal(await page.getByTestId('people-toggle').isChecked(), true, 'still on until confirmed');
    await page.getByTestId('people-forget-names').check();
    await settings.scrollIntoViewIfNeeded();
    await shot('settings-people-off-confirm');
    await page.getByRole('button', { name: 'Keep it on' }).click();
    await page.getByTestId('people-off-confirm').waitFor({ state: 'detached' });
    assert.equal(host.engine.people().status.enabled, true);
    assert.equal(host.engine.person(jesper).name, 'Jesper');

    // Off (keeping the names): People says so and offers to turn it on; on, the faces are found again and the name comes back.
    await page.getByTestId('people-toggle').click();
    await page.getByTestId('people-off').click();
    await page.getByTestId('people-off-confirm').waitFor({ state: 'detached' });
    assert.equal(host.engine.people().status.enabled, false);
    assert.equal(host.engine.people().status.faces, 0, 'the faces are gone');
    assert.ok(
      host.engine.people().people.every((p) => p.photos === 0),
      'and the grouping with them',
    );
    await page.getByTestId('nav-people').click();
    await page.getByTestId('people-turn-on').waitFor();
    assert.equal(await page.getByTestId('person').count(), 0);
    await shot('people-off');
    await page.getByTestId('people-turn-on').click();
    await page.locator('[data-testid="person"][data-name="Jesper"]').waitFor({ timeout: 120_000 });
    await page
      .getByTestId('people-status')
      .filter({ hasText: `faces found in the ${host.engine.status().photos.indexed} photos looked at` })
      .waitFor({ timeout: 120_000 });
    await page.waitForTimeout(500); // the last reload of People after the job
    await facesShown();
    await shot('people-on-again');
    assert.deepEqual(app.cspViolations, [], 'no style or script was blocked');
  });
});
