// WGS-84 / BD-09 → GCJ-02, the published formulas (the boundaries are GCJ-02).
const A = 6378245.0, EE = 0.00669342162296594323, XPI = Math.PI * 3000.0 / 180.0;
function tLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
  r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
  r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  return r;
}
function tLon(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
  r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
  r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  return r;
}
export function wgsToGcj(lon, lat) {
  let dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
  const rad = lat / 180 * Math.PI;
  let m = Math.sin(rad); m = 1 - EE * m * m;
  const s = Math.sqrt(m);
  dLat = (dLat * 180) / ((A * (1 - EE)) / (m * s) * Math.PI);
  dLon = (dLon * 180) / (A / s * Math.cos(rad) * Math.PI);
  return [lon + dLon, lat + dLat];
}
export function bdToGcj(lon, lat) {
  const x = lon - 0.0065, y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * XPI);
  const th = Math.atan2(y, x) - 0.000003 * Math.cos(x * XPI);
  return [z * Math.cos(th), z * Math.sin(th)];
}
export function toGcj02(loc) {
  const lon = Number(loc.lon), lat = Number(loc.lat);
  if (loc.crs === 'wgs84') return wgsToGcj(lon, lat);
  if (loc.crs === 'bd09') return bdToGcj(lon, lat);
  return [lon, lat];
}
