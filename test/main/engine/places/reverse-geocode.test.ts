/**
 * Reverse geocoding over the real gazetteer: a city's own coordinates name it, points far from towns name
 * only their country, the sea and unusable coordinates name nothing, and a video's ISO 6709 location (as
 * ffprobe reads it) names its city.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTool } from '../../../../src/main/engine/media/ffmpeg.js';
import { probeVideo } from '../../../../src/main/engine/media/video.js';
import { gazetteer } from '../../../../src/main/engine/places/gazetteer.js';
import { placeNameKey } from '../../../../src/main/engine/places/place-names.js';
import { CITY_RADIUS_KM, reachKm, reverseGeocode, usableCoordinates } from '../../../../src/main/engine/places/reverse-geocode.js';
import { seededRandom } from '../../../../src/scenes/scene.js';
import { tempDir } from '../../../fixtures.js';

describe('reverse geocoding', () => {
  const g = gazetteer();
  const tmp = tempDir();
  after(() => tmp.remove());

  it('names a town or city at its own coordinates (2,000 seeded-random ones of 15,000 people or more)', () => {
    // The measure: at a known city's coordinates the answer is that city (same name, country and region),
    // unless another place of the gazetteer lies at the very same point (GeoNames lists a few places twice
    // under two names): then either is right. Known: 15,000 people or more (a town a person names).
    const random = seededRandom(29);
    const towns = Array.from({ length: g.size }, (_, i) => i).filter((i) => g.population[i]! >= 15_000);
    const sample = Array.from({ length: 2000 }, () => towns[Math.floor(random() * towns.length)]!);
    let right = 0;
    const wrong: string[] = [];
    for (const i of sample) {
      const place = reverseGeocode(g.lat[i]!, g.lon[i]!)!;
      const same = place?.city === g.names[i] && place.countryCode === g.country[i] && place.region === g.regionName(g.country[i]!, g.admin1[i]!);
      const coincides = place?.distanceKm === 0;
      if (same || coincides) right++;
      else wrong.push(`${g.names[i]} (${g.country[i]}) -> ${JSON.stringify(place)}`);
    }
    console.log(`# ${right} of ${sample.length} towns named by themselves; the others by a bigger city around them: ${wrong.slice(0, 5).join('; ')}`);
    assert.ok(right / sample.length >= 0.99, `${right} of ${sample.length}; wrong: ${wrong.slice(0, 10).join('; ')}`);
  });

  it('names any place at its own coordinates by itself, or by a bigger city whose extent covers it', () => {
    const random = seededRandom(31);
    const index = new Map(Array.from({ length: g.size }, (_, i) => [`${g.names[i]}|${g.country[i]}|${g.lat[i]}|${g.lon[i]}`, i]));
    for (let n = 0; n < 2000; n++) {
      const i = Math.floor(random() * g.size);
      const place = reverseGeocode(g.lat[i]!, g.lon[i]!)!;
      if (place.city === g.names[i] || place.distanceKm === 0) continue;
      // Another place answered: a bigger one, whose reach from its point covers this one's point.
      const j = [...index.entries()].find(([key]) => key.startsWith(`${place.city}|${place.countryCode}|`) && Math.abs(g.lat[index.get(key)!]! - g.lat[i]!) < 1);
      assert.ok(j, `${g.names[i]} -> ${JSON.stringify(place)}`);
      const other = j[1];
      assert.ok(g.population[other]! > g.population[i]!, `${g.names[i]} (${g.population[i]}) -> ${place.city} (${g.population[other]})`);
      assert.ok(place.distanceKm! < reachKm(g.population[other]!), `${g.names[i]} -> ${place.city} at ${place.distanceKm} km`);
    }
  });

  it('names well-known places with their region and English country name', () => {
    const eiffel = reverseGeocode(48.8584, 2.2945)!;
    assert.deepEqual([eiffel.city, eiffel.region, eiffel.country, eiffel.countryCode], ['Paris', 'Île-de-France', 'France', 'FR'], 'a Paris district is named Paris');
    const opera = reverseGeocode(-33.8568, 151.2153)!;
    assert.equal(opera.countryCode, 'AU');
    assert.equal(opera.region, 'New South Wales');
    // Shibuya, inside Tokyo's extent: Tokyo (whose point is 3.4 km away), not the ward's own point.
    const shibuya = reverseGeocode(35.6595, 139.7005)!;
    assert.deepEqual([shibuya.city, shibuya.region, shibuya.countryCode], ['Tokyo', 'Tokyo', 'JP']);
    // Countries by the names people use, not the formal ones.
    assert.equal(reverseGeocode(40.7128, -74.006)!.country, 'United States');
    assert.equal(reverseGeocode(39.9042, 116.4074)!.country, 'China');
    // Versailles, outside Paris's: itself.
    assert.equal(reverseGeocode(48.8049, 2.1204)!.city, 'Versailles');
  });

  it('names only the country far from any town, and never a city beyond the radius', () => {
    // The Ténéré in Niger, and the Simpson Desert in central Australia: the nearest towns are farther than CITY_RADIUS_KM.
    for (const [lat, lon, code] of [
      [19.0, 11.0, 'NE'],
      [-25.0, 137.0, 'AU'],
      [23.5, 12.0, 'NE'],
    ] as const) {
      const place = reverseGeocode(lat, lon);
      assert.deepEqual(place && { country: place.countryCode, city: place.city, region: place.region }, { country: code, city: null, region: null }, `${lat}, ${lon}`);
    }
    // Over many random points on land, a named city is always within the radius.
    const random = seededRandom(7);
    for (let n = 0; n < 2000; n++) {
      const place = reverseGeocode(random() * 140 - 60, random() * 360 - 180);
      if (place?.city) assert.ok(place.distanceKm! <= CITY_RADIUS_KM + 1e-9, JSON.stringify(place));
    }
  });

  it('names nothing at sea or for unusable coordinates', () => {
    assert.equal(reverseGeocode(30, -40), null, 'mid-Atlantic');
    assert.equal(reverseGeocode(-10, -150), null, 'mid-Pacific');
    assert.equal(reverseGeocode(-45, 80), null, 'southern Indian Ocean');
    for (const [lat, lon] of [
      [0, 0],
      [NaN, 10],
      [10, NaN],
      [200, 10],
      [10, 200],
      [-200, -200],
      [91, 0],
      [Infinity, 0],
    ]) {
      assert.equal(usableCoordinates(lat!, lon!), false, `${lat}, ${lon}`);
      assert.equal(reverseGeocode(lat!, lon!), null, `${lat}, ${lon}`);
    }
  });

  it("names the city of a video's ISO 6709 location, as ffprobe reads it", async () => {
    const file = join(tmp.path, 'tokyo.mp4');
    const run = await runTool(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=160x90:rate=10',
        '-t',
        '1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-metadata',
        'location=+35.6586+139.7454/',
        file,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const { gps } = await probeVideo(file);
    assert.deepEqual(gps, { lat: 35.6586, lon: 139.7454 });
    const place = reverseGeocode(gps!.lat, gps!.lon)!;
    assert.equal(place.countryCode, 'JP');
    assert.equal(place.region, 'Tokyo');
    assert.equal(place.city, 'Tokyo', JSON.stringify(place));
  });

  it('folds case, accents and hyphens in names', () => {
    assert.equal(placeNameKey('  Île-de-France '), 'ile de france');
    assert.equal(placeNameKey('SÃO PAULO'), 'sao paulo');
    assert.equal(placeNameKey('Zürich'), placeNameKey('zurich'));
  });
});
