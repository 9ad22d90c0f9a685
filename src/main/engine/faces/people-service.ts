import type { PeopleStatus, PeopleView, Person, PhotoFace, Progress } from '../../../shared/api.js';
import { personKey } from '../../../shared/person-name.js';
import { EngineError, errorText } from '../core/errors.js';
import type { JobQueue } from '../core/job-queue.js';
import { type Settings, loadSettings, writeSettings } from '../core/settings.js';
import type { WriterGate } from '../core/writer-gate.js';
import { FaceJob, type FaceSummary } from './face-job.js';
import { FaceFinder } from './face-finder.js';
import { type FaceManifest, readFaceManifestSync } from './face-pack.js';
import type { FaceForGrouping, FaceRow, FaceStore } from './face-store.js';
import { type GroupingFace, type PersonChoice, placeNew, regroup } from './grouping.js';
import type { PeopleStore, PersonSummary } from './people-store.js';

/** A full regroup pays when the faces found since the last one are at least this share of all faces. */
const REGROUP_SHARE = 0.2;

export interface PeopleSummary extends FaceSummary {
  /** How the new faces were grouped: all faces again, or the new ones placed among them. */
  grouping: 'full' | 'new faces' | 'none';
  /** People made and dropped by it. */
  made: number;
  dropped: number;
  groupSeconds: number;
}

/**
 * People: finding faces in indexed photos (a background phase, like reading text), grouping them into
 * people, and the user's word on them (names, merges, "not this person", hidden, covers), which no
 * regroup overrides. The face models open on first use.
 */
export class PeopleService {
  private finderPart: Promise<FaceFinder | null> | undefined;
  private problem: string | null = null;
  private manifestPart: FaceManifest | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly settings: Settings,
    private readonly faces: FaceStore,
    private readonly people: PeopleStore,
    private readonly notices: string[],
    private readonly writer: WriterGate,
    private readonly jobs: JobQueue,
    private readonly changed: (reason: string) => void,
  ) {}

  get manifest(): FaceManifest {
    return (this.manifestPart ??= readFaceManifestSync());
  }

  /** The face models, opened on first use; null (with the reason in status) when they cannot be. */
  faceFinder(): Promise<FaceFinder | null> {
    return (this.finderPart ??= (async () => {
      try {
        // One thread a session: the job looks at as many photos at once as there are cores.
        return await FaceFinder.open({ device: this.settings.device, intraOpThreads: 1 });
      } catch (error) {
        this.problem = errorText(error);
        this.notices.push(`Faces cannot be found: ${this.problem}`);
        return null;
      }
    })());
  }

  /** Finds faces in the indexed photos not looked at yet, then groups them. Null when people are off or the models cannot open. */
  async findFaces(options: { onProgress?: (p: Progress) => void } = {}): Promise<PeopleSummary | null> {
    this.writer.require('find faces in photos');
    if (!this.settings.people || this.jobs.closing) return null;
    // Faces found but never grouped (a run stopped between the two) are grouped even when no photo is new.
    if (this.faces.scanCounts(this.manifest.id).unscanned === 0 && this.faces.ungroupedFaceIds().length === 0) return null;
    const finder = await this.faceFinder();
    if (!finder) return null;
    const job = new FaceJob(this.faces.catalog, finder, this.jobs.reporter('faces', options.onProgress));
    await this.writer.checkedFor('update the library');
    const summary = await this.jobs.run(job);
    if (job.lastFailure) console.error(`glimpse: ${summary.failed} photos could not be looked at for faces (last: ${job.lastFailure}); they will be tried again`);
    const grouped = this.group(this.faces.ungroupedFaceIds());
    if (summary.faces > 0 || grouped.made > 0) this.changed('faces found');
    return { ...summary, ...grouped };
  }

  /** Groups the faces: all of them again when the new ones are many (or `full`), else the new ones among the rest. */
  group(newFaces: readonly number[], full = false): { grouping: PeopleSummary['grouping']; made: number; dropped: number; groupSeconds: number } {
    const started = performance.now();
    if (newFaces.length === 0 && !full) return { grouping: 'none', made: 0, dropped: 0, groupSeconds: 0 };
    const all = this.faces.facesForGrouping();
    const fresh = new Set(newFaces);
    const params = this.manifest.grouping;
    const asGrouping = (f: FaceForGrouping): GroupingFace => ({
      id: f.id,
      embedding: f.embedding,
      eligible: this.eligible(f),
      person: f.person_id,
      pinned: f.by_user === 1 ? f.person_id : null,
      rejected: f.rejected,
    });
    let choices: Map<number, PersonChoice>;
    const regroupAll = full || fresh.size >= REGROUP_SHARE * all.length;
    if (regroupAll) choices = regroup(all.map(asGrouping), params);
    else choices = placeNew(all.filter((f) => !fresh.has(f.id)).map(asGrouping), all.filter((f) => fresh.has(f.id)).map(asGrouping), params);
    const { made, dropped } = this.people.applyGrouping(choices, Math.max(0, ...all.map((f) => f.id)));
    return { grouping: regroupAll ? 'full' : 'new faces', made, dropped, groupSeconds: (performance.now() - started) / 1000 };
  }

  /** Good enough to found a person: large, sharp and frontal enough (the pack's thresholds). */
  eligible(face: Pick<FaceRow, 'side' | 'sharpness' | 'frontal'>): boolean {
    const g = this.manifest.grouping;
    return face.side >= g.minFaceSide && face.sharpness >= g.minSharpness && face.frontal >= g.minFrontal;
  }

  status(): PeopleStatus {
    let manifest: FaceManifest | undefined;
    try {
      manifest = this.manifest;
    } catch (error) {
      this.problem ??= errorText(error);
    }
    const id = manifest?.id ?? 'faces';
    const counts = this.faces.scanCounts(id);
    return {
      enabled: this.settings.people,
      model: id,
      name: manifest?.name ?? id,
      scanned: counts.scanned,
      unscanned: counts.unscanned,
      faces: counts.faces,
      unsorted: this.faces.unsortedCount(),
      problem: this.settings.people ? this.problem : null,
    };
  }

  view(): PeopleView {
    return { status: this.status(), people: this.people.people().map((p) => this.personOf(p)) };
  }

  private personOf(p: PersonSummary): Person {
    const cover = p.cover === null ? undefined : this.faces.face(p.cover);
    return {
      id: p.id,
      name: p.name,
      hidden: p.hidden === 1,
      faces: p.faces,
      photos: p.photos,
      cover: cover ? { face: cover.id, photoId: cover.photo_id, box: { x: cover.x, y: cover.y, width: cover.w, height: cover.h } } : null,
    };
  }

  /** One person as listed. */
  person(id: number): Person {
    const found = this.people.people(id)[0];
    if (!found) throw new EngineError(`there is no person ${id}`);
    return this.personOf(found);
  }

  /** The faces in a photo, for the viewer. */
  facesIn(photoId: number): PhotoFace[] {
    const faces = this.faces.facesOf(photoId);
    // The names of this photo's people only (a photo has a few; the library may have thousands).
    const names = new Map([...new Set(faces.map((f) => f.person_id))].flatMap((id) => (id === null ? [] : [[id, this.people.person(id)?.name ?? null] as const])));
    return faces.map((f) => ({
      id: f.id,
      box: { x: f.x, y: f.y, width: f.w, height: f.h },
      person: f.person_id === null ? null : { id: f.person_id, name: names.get(f.person_id) ?? null },
      byUser: f.by_user === 1,
    }));
  }

  private mustPerson(id: number): void {
    if (!this.people.person(id)) throw new EngineError(`there is no person ${id}`);
  }

  private mustFace(id: number): FaceRow {
    const face = this.faces.face(id);
    if (!face) throw new EngineError(`there is no face ${id} (the photo may have changed: its faces were found again)`);
    return face;
  }

  rename(id: number, name: string | null): Person {
    this.writer.require('name a person');
    this.mustPerson(id);
    this.people.rename(id, name);
    this.changed('person named');
    return this.person(id);
  }

  merge(into: number, from: number): Person {
    this.writer.require('merge people');
    this.mustPerson(into);
    this.mustPerson(from);
    this.people.merge(into, from);
    this.changed('people merged');
    return this.person(into);
  }

  reject(faceId: number, personId: number): PhotoFace[] {
    this.writer.require('correct a face');
    const face = this.mustFace(faceId);
    this.mustPerson(personId);
    this.people.reject(faceId, personId);
    this.changed('face corrected');
    return this.facesIn(face.photo_id);
  }

  /** The face is this person, or a new person with this name. */
  assign(faceId: number, to: { person?: number | undefined; name?: string | undefined }): PhotoFace[] {
    this.writer.require('name a face');
    const face = this.mustFace(faceId);
    let person = to.person;
    if (person !== undefined) this.mustPerson(person);
    else person = this.people.byKey(personKey(to.name!))[0]?.id ?? this.people.create(to.name!);
    this.people.assign(faceId, person);
    this.changed('face named');
    return this.facesIn(face.photo_id);
  }

  hide(id: number, hidden: boolean): Person {
    this.writer.require('hide a person');
    this.mustPerson(id);
    this.people.setHidden(id, hidden);
    this.changed(hidden ? 'person hidden' : 'person shown');
    return this.person(id);
  }

  setCover(id: number, faceId: number): Person {
    this.writer.require("choose a person's cover");
    this.mustPerson(id);
    if (this.mustFace(faceId).person_id !== id) throw new EngineError(`face ${faceId} is not one of person ${id}'s`);
    this.people.setCover(id, faceId);
    return this.person(id);
  }

  /**
   * Turns finding faces on or off (saved). Off deletes every face found and the grouping (and with
   * `forgetNames`, the names and corrections); on, the photos indexed meanwhile are looked at.
   */
  setEnabled(enabled: boolean, forgetNames = false): PeopleStatus {
    this.writer.require(enabled ? 'turn people on' : 'turn people off');
    this.settings.people = enabled;
    writeSettings(this.dataDir, { ...loadSettings(this.dataDir).settings, people: enabled });
    if (!enabled) {
      if (this.jobs.job instanceof FaceJob) this.jobs.job.cancel();
      this.faces.forgetFaces();
      this.people.forget(forgetNames);
      this.changed('people off');
    } else
      void this.jobs.enqueue(
        async () => {
          try {
            await this.findFaces();
          } finally {
            this.jobs.settle();
          }
        },
        (error) => console.error(`glimpse: finding faces stopped: ${errorText(error)}`),
      );
    return this.status();
  }

  async close(): Promise<void> {
    await (await this.finderPart)?.close();
  }
}
