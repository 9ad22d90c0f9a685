/**
 * The Places view's world map, drawn offline: Natural Earth's country outlines (world-atlas) as SVG paths
 * on a Web Mercator projection, and the photos as dots clustered for the zoom level (supercluster, whose
 * zoom levels are Web Mercator's, so a cluster is what the eye sees as one spot). Pure: the component
 * (WorldMap.svelte) owns the pan and zoom and asks this module what to draw.
 */
import { geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import Supercluster from 'supercluster';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/** The map's drawing size (SVG user units); the SVG scales it to the window. */
export const MAP_WIDTH = 1000;
export const MAP_HEIGHT = 640;
/** Mercator runs to infinity at the poles; like every web map, the world stops at about 85° (a square). */
const MAX_LATITUDE = 85.0511;
/**
 * Where the equator is drawn: the map shows 80° N to 67° S at zoom 1 (a Mercator world is as tall as it is
 * wide; most photos are taken north of the equator, hardly any in Antarctica).
 */
const MAP_EQUATOR = 387;
/** How far in a user can zoom: about 5 m a pixel, a street's houses apart (only the dots; the outlines are 1:50m). */
export const MAX_ZOOM = 8192;

export interface MapPoint {
  id: number;
  lat: number;
  lon: number;
}

/** A dot to draw: one photo, or a cluster of `count` photos, at map coordinates before zooming. */
export interface MapDot {
  key: string;
  x: number;
  y: number;
  count: number;
  /** The cluster's id in the clustering (null for a single photo). */
  cluster: number | null;
  /** The photo, for a single one. */
  photo: number | null;
}

/** An area on the earth: west, south, east, north (degrees). */
export type Area = [number, number, number, number];

/** The world at zoom 1 fills the map's width. */
export function worldProjection(): GeoProjection {
  return geoMercator()
    .scale(MAP_WIDTH / (2 * Math.PI))
    .translate([MAP_WIDTH / 2, MAP_EQUATOR]);
}

/** Each country's outline as an SVG path in map coordinates. */
export function countryPaths(topology: Topology, projection = worldProjection()): Array<{ id: string; d: string }> {
  const object = topology.objects.countries as GeometryCollection | undefined;
  if (!object) return [];
  const path = geoPath(projection);
  const collection = feature(topology, object);
  return collection.features.flatMap((country, i) => {
    const d = path(country);
    return d ? [{ id: String(country.id ?? i), d }] : [];
  });
}

/** Photos whose coordinates are a place on earth: (0, 0) and anything out of range is no place. */
export function placeable(points: readonly MapPoint[]): MapPoint[] {
  return points.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180 && !(p.lat === 0 && p.lon === 0));
}

/** supercluster's zoom 0 is a world of one 512-unit tile, and its radius is in those units. */
const TILE = 512;
/** The deepest zoom at which photos are still clustered (deeper, each is its own dot). */
const CLUSTER_MAX_ZOOM = Math.ceil(Math.log2((MAP_WIDTH * MAX_ZOOM) / TILE)) - 1;

/** The supercluster zoom level that matches the map zoomed `k` times (so its radius is in screen pixels). */
export function clusterZoom(k: number): number {
  return Math.max(0, Math.min(CLUSTER_MAX_ZOOM + 1, Math.floor(Math.log2((MAP_WIDTH * k) / TILE))));
}

/** The photos as clusters, ready to be asked what is in view at a zoom. */
export class PhotoClusters {
  readonly #index: Supercluster<{ id: number }, Record<string, unknown>>;
  readonly #projection: GeoProjection;
  readonly size: number;

  constructor(points: readonly MapPoint[], projection = worldProjection()) {
    const placed = placeable(points);
    this.size = placed.length;
    this.#projection = projection;
    this.#index = new Supercluster<{ id: number }, Record<string, unknown>>({ radius: 44, maxZoom: CLUSTER_MAX_ZOOM });
    this.#index.load(placed.map((p) => ({ type: 'Feature', properties: { id: p.id }, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } })));
  }

  /** The dots inside `area` at the map zoom `k`, each photo in exactly one of them. */
  dots(area: Area, k: number): MapDot[] {
    if (this.size === 0) return [];
    const [west, south, east, north] = area;
    // A view across the antimeridian is asked as the world's width: supercluster wants west <= east.
    const box: Area = east - west >= 360 || east < west ? [-180, south, 180, north] : area;
    return this.#index.getClusters(box, clusterZoom(k)).map((f) => {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const [x, y] = this.#projection([lon, lat]) ?? [0, 0];
      const props = f.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; id?: number };
      return props.cluster
        ? { key: `c${props.cluster_id!}`, x, y, count: props.point_count!, cluster: props.cluster_id!, photo: null }
        : { key: `p${props.id!}`, x, y, count: 1, cluster: null, photo: props.id! };
    });
  }

  /** Every photo of a dot. */
  photos(dot: MapDot): number[] {
    if (dot.cluster === null) return dot.photo === null ? [] : [dot.photo];
    return this.#index.getLeaves(dot.cluster, Infinity).map((f) => (f.properties as { id: number }).id);
  }

  /** The zoom (as a map scale k) at which a cluster falls apart into smaller ones. */
  expansionScale(dot: MapDot): number {
    if (dot.cluster === null) return MAX_ZOOM;
    const zoom = this.#index.getClusterExpansionZoom(dot.cluster);
    return Math.min(MAX_ZOOM, (TILE * 2 ** zoom) / MAP_WIDTH);
  }
}

/** What of the earth a view of the map shows: the map zoomed k times and moved by (x, y), in a viewport of the map's size. */
export function visibleArea(transform: { k: number; x: number; y: number }, projection = worldProjection()): Area {
  const corner = (sx: number, sy: number) => projection.invert!([(sx - transform.x) / transform.k, (sy - transform.y) / transform.k]) ?? [0, 0];
  const [west, north] = corner(0, 0);
  const [east, south] = corner(MAP_WIDTH, MAP_HEIGHT);
  const clampLat = (lat: number) => Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  // Wider than the world: the whole world.
  if (MAP_WIDTH / transform.k >= MAP_WIDTH) return [-180, clampLat(south), 180, clampLat(north)];
  return [Math.max(-180, west), clampLat(south), Math.min(180, east), clampLat(north)];
}

/** A dot's radius on screen, growing slowly with the photos in it. */
export function dotRadius(count: number): number {
  return count === 1 ? 5 : Math.min(22, 8 + 3 * Math.log10(count) * 2);
}

/** The count on a cluster as it fits a dot: 7, 86, 1.2k, 35k. */
export function dotLabel(count: number): string {
  if (count < 1000) return String(count);
  const thousands = count / 1000;
  return `${thousands < 10 ? thousands.toFixed(1).replace(/\.0$/, '') : Math.round(thousands)}k`;
}
