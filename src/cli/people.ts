import type { Command } from 'commander';
import type { GlimpseEngine } from '../main/engine/engine.js';
import { cleanPersonName, personNameProblem } from '../shared/person-name.js';
import { plural } from '../shared/counting.js';
import { shown } from './format.js';

type WithEngine = <T>(work: (engine: GlimpseEngine) => Promise<T>) => Promise<T>;

function personId(value: string, usage: (message: string) => Error): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw usage(`a person is named by their id (a number from glimpse people), not "${value}"`);
  return Number(value);
}

/**
 * `glimpse people`: the people the faces in the library were grouped into, and the user's word on them
 * (name, merge, "not this person" on a photo, hide). Names are searched like anything else:
 * `glimpse search "Anna at the beach"`.
 */
export function registerPeopleCommands(
  program: Command,
  withReader: WithEngine,
  withWriter: WithEngine,
  usage: (message: string) => Error,
  typedPath: (path: string) => string,
): void {
  const people = program
    .command('people')
    .description('people found in your photos (faces grouped on this computer): list, name, merge, correct, hide; search by name with glimpse search "Anna"');

  people
    .command('list', { isDefault: true })
    .description('everyone, named first, with their photos')
    .option('--json', 'print JSON: each person with id, name (or null), photos (absolute paths) and face count')
    .option('--hidden', 'list hidden people too')
    .action(async (o: { json?: boolean; hidden?: boolean }) => {
      await withReader(async (engine) => {
        const view = engine.people();
        const listed = view.people.filter((p) => o.hidden || !p.hidden);
        const photos = (id: number) => [...engine.stores.photos.photos(engine.stores.people.photosOf(id)).values()].map((row) => row.path);
        if (o.json)
          return console.log(
            JSON.stringify(
              listed.map((p) => ({ id: p.id, name: p.name, hidden: p.hidden, faces: p.faces, photos: photos(p.id) })),
              null,
              2,
            ),
          );
        const s = view.status;
        if (!s.enabled) return console.log('People are off (glimpse people on turns them on).');
        console.log(
          `Faces (${s.name}): ${plural(s.scanned, 'photo')} looked at${s.unscanned ? `, ${s.unscanned} to look at` : ''}; ${plural(s.faces, 'face')}, ${s.unsorted} not grouped yet.${s.problem ? ` But ${shown(s.problem)}` : ''}`,
        );
        if (listed.length === 0) return console.log('No people yet: a person appears once their face is found in a few photos.');
        for (const p of listed)
          console.log(
            `${String(p.id).padStart(5)}  ${p.name === null ? '(unnamed)' : shown(p.name)}${p.hidden ? ' (hidden)' : ''}: ${plural(p.photos, 'photo')}, ${plural(p.faces, 'face')}`,
          );
        if (listed.some((p) => p.name === null)) console.log('Name someone: glimpse people name <id> "Anna"');
      });
    });

  people
    .command('name')
    .description('name a person (their photos are then found by the name)')
    .argument('<id>')
    .argument('<name>')
    .action(async (id: string, name: string) => {
      const clean = cleanPersonName(name);
      const problem = personNameProblem(clean);
      if (problem) throw usage(problem);
      await withWriter(async (engine) => {
        const person = engine.renamePerson(personId(id, usage), clean);
        console.log(`${shown(person.name!)}: ${plural(person.photos, 'photo')}. Search: glimpse search "${shown(person.name!)}"`);
      });
    });

  people
    .command('merge')
    .description("the second person is the same as the first: one person with both's photos")
    .argument('<into>')
    .argument('<from>')
    .action(async (into: string, from: string) => {
      const [a, b] = [personId(into, usage), personId(from, usage)];
      if (a === b) throw usage('a person cannot be merged with themselves');
      await withWriter(async (engine) => {
        const person = engine.mergePeople(a, b);
        console.log(`Merged: ${person.name === null ? `person ${person.id}` : shown(person.name)} has ${plural(person.photos, 'photo')}.`);
      });
    });

  people
    .command('not')
    .description('this person is not in this photo: their face there leaves them and never comes back')
    .argument('<id>')
    .argument('<photo>', 'the photo (a path or an id)')
    .action(async (id: string, photo: string) => {
      const person = personId(id, usage);
      await withWriter(async (engine) => {
        const row = /^\d+$/.test(photo) ? engine.stores.photos.photo(Number(photo)) : engine.stores.photos.photoByPath(typedPath(photo));
        if (!row) throw new Error(`${photo} is not in the library`);
        const faces = engine.stores.faces.facesOf(row.id).filter((f) => f.person_id === person);
        if (faces.length === 0) throw new Error(`person ${person} has no face in ${shown(row.path)}`);
        for (const f of faces) engine.rejectFace(f.id, person);
        console.log(`Person ${person} is no longer in ${shown(row.path)} (${plural(faces.length, 'face')} corrected).`);
      });
    });

  people
    .command('hide')
    .description('hide a person from the list and from results (their photos stay); --show shows them again')
    .argument('<id>')
    .option('--show', 'show a hidden person again')
    .action(async (id: string, o: { show?: boolean }) => {
      await withWriter(async (engine) => {
        const person = engine.hidePerson(personId(id, usage), !o.show);
        console.log(`${person.name === null ? `Person ${person.id}` : shown(person.name)} is ${person.hidden ? 'hidden' : 'shown'}.`);
      });
    });

  for (const state of ['on', 'off'] as const)
    people
      .command(state)
      .description(
        state === 'on'
          ? 'find faces and group them into people (on this computer)'
          : 'stop finding faces and delete every face found and the grouping (names are kept unless --forget-names)',
      )
      .option('--forget-names', 'also forget the names and corrections you gave (off only)')
      .action(async (o: { forgetNames?: boolean }) => {
        await withWriter(async (engine) => {
          engine.setPeople(state === 'on', o.forgetNames ?? false);
          await engine.idle();
          const s = engine.people().status;
          console.log(
            state === 'on'
              ? `People: on; ${plural(s.faces, 'face')} found in ${plural(s.scanned, 'photo')}.`
              : `People: off; every face found was deleted${o.forgetNames ? ', with the names' : ''}.`,
          );
        });
      });
}
