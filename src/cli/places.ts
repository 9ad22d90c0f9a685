import type { Command } from 'commander';
import type { GlimpseEngine } from '../main/engine/engine.js';
import type { PlaceCity, PlaceRegion } from '../shared/api.js';
import { plural } from '../shared/counting.js';
import { shown } from './format.js';

type WithEngine = <T>(work: (engine: GlimpseEngine) => Promise<T>) => Promise<T>;

const regionName = (r: PlaceRegion) => (r.name === null ? '(region not known)' : shown(r.name));
const cityName = (c: PlaceCity) => (c.name === null ? '(far from any town)' : shown(c.name));

/**
 * `glimpse places`: where the library's photos were taken, from their GPS coordinates and an offline
 * gazetteer (GeoNames, Natural Earth): countries, their regions and cities, with how many photos each.
 */
export function registerPlacesCommands(program: Command, withReader: WithEngine): void {
  program
    .command('places')
    .description('where your photos were taken (from their GPS coordinates, found on this computer): countries, regions and cities')
    .option('--json', 'print JSON: the countries (code, name, photos, cover photo id), each with its regions and their cities')
    .action(async (o: { json?: boolean }) => {
      await withReader(async (engine) => {
        const view = engine.places();
        if (o.json) return console.log(JSON.stringify(view, null, 2));
        const s = view.status;
        console.log(
          `Places: ${plural(s.withGps, 'photo')} with GPS coordinates; ${s.placed} placed${s.nowhere ? `, ${s.nowhere} at sea or nowhere named` : ''}${s.unplaced ? `, ${s.unplaced} still to look up (glimpse index does it)` : ''}.`,
        );
        if (view.countries.length === 0) return console.log('No places yet: photos taken with a phone or a camera with GPS are placed when they are indexed.');
        for (const country of view.countries) {
          console.log(`${shown(country.name)} (${country.code}): ${plural(country.photos, 'photo')}`);
          for (const region of country.regions) {
            const only = region.cities.length === 1 && region.cities[0]!.name === null;
            console.log(`  ${regionName(region)}: ${plural(region.photos, 'photo')}`);
            if (!only) for (const city of region.cities) console.log(`    ${cityName(city)}: ${plural(city.photos, 'photo')}`);
          }
        }
        console.log('Place names: GeoNames (geonames.org, CC BY 4.0); country outlines: Natural Earth.');
      });
    });
}
