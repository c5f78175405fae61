/**
 * The two astronomical quantities the Vietnamese lunisolar calendar needs, written by hand after
 * Jean Meeus, "Astronomical Algorithms" (2nd ed., 1998):
 *
 * - the instant of the k-th mean-lunation new moon, corrected to the true new moon
 *   (chapter 49, "truephase": periodic terms plus the 14 planetary arguments), accurate to a few
 *   seconds of time; and
 * - the apparent geocentric longitude of the Sun (chapter 25, "higher accuracy": the Earth's
 *   heliocentric longitude from the VSOP87 series truncated as in Meeus's Appendix III, plus the
 *   FK5 correction, nutation in longitude and aberration), accurate to about one arc-second, so a
 *   solar term is placed within about half a minute.
 *
 * Times are Julian Days. `jde` is Terrestrial (dynamical) Time; `jdUt` is Universal Time. ΔT
 * (TT − UT) uses the Espenak–Meeus polynomials (NASA eclipse web site, 2006).
 *
 * Nothing here knows about calendars or time zones; `lunar.ts` builds the calendar on top.
 */

const DEG = Math.PI / 180;

function sinDeg(x: number): number {
  return Math.sin(x * DEG);
}

function normDeg(x: number): number {
  const r = x % 360;
  return r < 0 ? r + 360 : r;
}

// ---------------------------------------------------------------------------------------------
// ΔT = TT − UT, in seconds (Espenak & Meeus). `y` is a decimal year.
// ---------------------------------------------------------------------------------------------

export function deltaTSeconds(y: number): number {
  if (y < 1800) {
    const u = (y - 1820) / 100;
    return -20 + 32 * u * u;
  }
  if (y < 1860) {
    const t = y - 1800;
    return (
      13.72 -
      0.332447 * t +
      0.0068612 * t ** 2 +
      0.0041116 * t ** 3 -
      0.00037436 * t ** 4 +
      0.0000121272 * t ** 5 -
      0.0000001699 * t ** 6 +
      0.000000000875 * t ** 7
    );
  }
  if (y < 1900) {
    const t = y - 1860;
    return 7.62 + 0.5737 * t - 0.251754 * t ** 2 + 0.01680668 * t ** 3 - 0.0004473624 * t ** 4 + t ** 5 / 233174;
  }
  if (y < 1920) {
    const t = y - 1900;
    return -2.79 + 1.494119 * t - 0.0598939 * t ** 2 + 0.0061966 * t ** 3 - 0.000197 * t ** 4;
  }
  if (y < 1941) {
    const t = y - 1920;
    return 21.2 + 0.84493 * t - 0.0761 * t ** 2 + 0.0020936 * t ** 3;
  }
  if (y < 1961) {
    const t = y - 1950;
    return 29.07 + 0.407 * t - t ** 2 / 233 + t ** 3 / 2547;
  }
  if (y < 1986) {
    const t = y - 1975;
    return 45.45 + 1.067 * t - t ** 2 / 260 - t ** 3 / 718;
  }
  if (y < 2005) {
    const t = y - 2000;
    return 63.86 + 0.3345 * t - 0.060374 * t ** 2 + 0.0017275 * t ** 3 + 0.000651814 * t ** 4 + 0.00002373599 * t ** 5;
  }
  if (y < 2050) {
    const t = y - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t ** 2;
  }
  const u = (y - 1820) / 100;
  if (y < 2150) return -20 + 32 * u * u - 0.5628 * (2150 - y);
  return -20 + 32 * u * u;
}

function decimalYear(jd: number): number {
  return 2000 + (jd - 2451545.0) / 365.25;
}

export function ttToUt(jde: number): number {
  return jde - deltaTSeconds(decimalYear(jde)) / 86400;
}

export function utToTt(jdUt: number): number {
  return jdUt + deltaTSeconds(decimalYear(jdUt)) / 86400;
}

// ---------------------------------------------------------------------------------------------
// New moons (Meeus chapter 49). k = 0 is the new moon of 2000 January 6; k is an integer.
// ---------------------------------------------------------------------------------------------

/** Instant (JDE, dynamical time) of the true new moon of lunation k. */
export function newMoonJde(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const T4 = T3 * T;

  const jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * T2 - 0.00000015 * T3 + 0.00000000073 * T4;

  const E = 1 - 0.002516 * T - 0.0000074 * T2; // eccentricity of the Earth's orbit
  const M = 2.5534 + 29.1053567 * k - 0.0000014 * T2 - 0.00000011 * T3; // Sun's mean anomaly
  const Mp = 201.5643 + 385.81693528 * k + 0.0107582 * T2 + 0.00001238 * T3 - 0.000000058 * T4; // Moon's
  const F = 160.7108 + 390.67050284 * k - 0.0016118 * T2 - 0.00000227 * T3 + 0.000000011 * T4; // arg. of latitude
  const Om = 124.7746 - 1.56375588 * k + 0.0020672 * T2 + 0.00000215 * T3; // longitude of ascending node

  const periodic =
    -0.4072 * sinDeg(Mp) +
    0.17241 * E * sinDeg(M) +
    0.01608 * sinDeg(2 * Mp) +
    0.01039 * sinDeg(2 * F) +
    0.00739 * E * sinDeg(Mp - M) -
    0.00514 * E * sinDeg(Mp + M) +
    0.00208 * E * E * sinDeg(2 * M) -
    0.00111 * sinDeg(Mp - 2 * F) -
    0.00057 * sinDeg(Mp + 2 * F) +
    0.00056 * E * sinDeg(2 * Mp + M) -
    0.00042 * sinDeg(3 * Mp) +
    0.00042 * E * sinDeg(M + 2 * F) +
    0.00038 * E * sinDeg(M - 2 * F) -
    0.00024 * E * sinDeg(2 * Mp - M) -
    0.00017 * sinDeg(Om) -
    0.00007 * sinDeg(Mp + 2 * M) +
    0.00004 * sinDeg(2 * Mp - 2 * F) +
    0.00004 * sinDeg(3 * M) +
    0.00003 * sinDeg(Mp + M - 2 * F) +
    0.00003 * sinDeg(2 * Mp + 2 * F) -
    0.00003 * sinDeg(Mp + M + 2 * F) +
    0.00003 * sinDeg(Mp - M + 2 * F) -
    0.00002 * sinDeg(Mp - M - 2 * F) -
    0.00002 * sinDeg(3 * Mp + M) +
    0.00002 * sinDeg(4 * Mp);

  // The 14 planetary arguments (same for every phase).
  const planetary =
    0.000325 * sinDeg(299.77 + 0.107408 * k - 0.009173 * T2) +
    0.000165 * sinDeg(251.88 + 0.016321 * k) +
    0.000164 * sinDeg(251.83 + 26.651886 * k) +
    0.000126 * sinDeg(349.42 + 36.412478 * k) +
    0.00011 * sinDeg(84.66 + 18.206239 * k) +
    0.000062 * sinDeg(141.74 + 53.303771 * k) +
    0.00006 * sinDeg(207.14 + 2.453732 * k) +
    0.000056 * sinDeg(154.84 + 7.30686 * k) +
    0.000047 * sinDeg(34.52 + 27.261239 * k) +
    0.000042 * sinDeg(207.19 + 0.121824 * k) +
    0.00004 * sinDeg(291.34 + 1.844379 * k) +
    0.000037 * sinDeg(161.72 + 24.198154 * k) +
    0.000035 * sinDeg(239.56 + 25.513099 * k) +
    0.000023 * sinDeg(331.55 + 3.592518 * k);

  return jde + periodic + planetary;
}

/** Instant (JD, Universal Time) of the true new moon of lunation k. */
export function newMoonUt(k: number): number {
  return ttToUt(newMoonJde(k));
}

// ---------------------------------------------------------------------------------------------
// The Sun's apparent longitude (Meeus chapter 25 with VSOP87 chapter 32 / Appendix III).
// Each term is [A, B, C]: A · cos(B + C·τ), τ in Julian millennia from J2000.0, result × 1e-8 rad.
// ---------------------------------------------------------------------------------------------

type Term = readonly [number, number, number];

const EARTH_L0: readonly Term[] = [
  [175347046, 0, 0],
  [3341656, 4.6692568, 6283.07585],
  [34894, 4.6261, 12566.1517],
  [3497, 2.7441, 5753.3849],
  [3418, 2.8289, 3.5231],
  [3136, 3.6277, 77713.7715],
  [2676, 4.4181, 7860.4194],
  [2343, 6.1352, 3930.2097],
  [1324, 0.7425, 11506.7698],
  [1273, 2.0371, 529.691],
  [1199, 1.1096, 1577.3435],
  [990, 5.233, 5884.927],
  [902, 2.045, 26.298],
  [857, 3.508, 398.149],
  [780, 1.179, 5223.694],
  [753, 2.533, 5507.553],
  [505, 4.583, 18849.228],
  [492, 4.205, 775.523],
  [357, 2.92, 0.067],
  [317, 5.849, 11790.629],
  [284, 1.899, 796.298],
  [271, 0.315, 10977.079],
  [243, 0.345, 5486.778],
  [206, 4.806, 2544.314],
  [205, 1.869, 5573.143],
  [202, 2.458, 6069.777],
  [156, 0.833, 213.299],
  [132, 3.411, 2942.463],
  [126, 1.083, 20.775],
  [115, 0.645, 0.98],
  [103, 0.636, 4694.003],
  [102, 0.976, 15720.839],
  [102, 4.267, 7.114],
  [99, 6.21, 2146.17],
  [98, 0.68, 155.42],
  [86, 5.98, 161000.69],
  [85, 1.3, 6275.96],
  [85, 3.67, 71430.7],
  [80, 1.81, 17260.15],
  [79, 3.04, 12036.46],
  [75, 1.76, 5088.63],
  [74, 3.5, 3154.69],
  [74, 4.68, 801.82],
  [70, 0.83, 9437.76],
  [62, 3.98, 8827.39],
  [61, 1.82, 7084.9],
  [57, 2.78, 6286.6],
  [56, 4.39, 14143.5],
  [56, 3.47, 6279.55],
  [52, 0.19, 12139.55],
  [52, 1.33, 1748.02],
  [51, 0.28, 5856.48],
  [49, 0.49, 1194.45],
  [41, 5.37, 8429.24],
  [41, 2.4, 19651.05],
  [39, 6.17, 10447.39],
  [37, 6.04, 10213.29],
  [37, 2.57, 1059.38],
  [36, 1.71, 2352.87],
  [36, 1.78, 6812.77],
  [33, 0.59, 17789.85],
  [30, 0.44, 83996.85],
  [30, 2.74, 1349.87],
  [25, 3.16, 4690.48],
];

const EARTH_L1: readonly Term[] = [
  [628331966747, 0, 0],
  [206059, 2.678235, 6283.07585],
  [4303, 2.6351, 12566.1517],
  [425, 1.59, 3.523],
  [119, 5.796, 26.298],
  [109, 2.966, 1577.344],
  [93, 2.59, 18849.23],
  [72, 1.14, 529.69],
  [68, 1.87, 398.15],
  [67, 4.41, 5507.55],
  [59, 2.89, 5223.69],
  [56, 2.17, 155.42],
  [45, 0.4, 796.3],
  [36, 0.47, 775.52],
  [29, 2.65, 7.11],
  [21, 5.34, 0.98],
  [19, 1.85, 5486.78],
  [19, 4.97, 213.3],
  [17, 2.99, 6275.96],
  [16, 0.03, 2544.31],
  [16, 1.43, 2146.17],
  [15, 1.21, 10977.08],
  [12, 2.83, 1748.02],
  [12, 3.26, 5088.63],
  [12, 5.27, 1194.45],
  [12, 2.08, 4694.0],
  [11, 0.77, 553.57],
  [10, 1.3, 6286.6],
  [10, 4.24, 1349.87],
  [9, 2.7, 242.73],
  [9, 5.64, 951.72],
  [8, 5.3, 2352.87],
  [6, 2.65, 9437.76],
  [6, 4.67, 4690.48],
];

const EARTH_L2: readonly Term[] = [
  [52919, 0, 0],
  [8720, 1.0721, 6283.0758],
  [309, 0.867, 12566.152],
  [27, 0.05, 3.52],
  [16, 5.19, 26.3],
  [16, 3.68, 155.42],
  [10, 0.76, 18849.23],
  [9, 2.06, 77713.77],
  [7, 0.83, 775.52],
  [5, 4.66, 1577.34],
  [4, 1.03, 7.11],
  [4, 3.44, 5573.14],
  [3, 5.14, 796.3],
  [3, 6.05, 5507.55],
  [3, 1.19, 242.73],
  [3, 6.12, 529.69],
  [3, 0.31, 398.15],
  [3, 2.28, 553.57],
  [2, 4.38, 5223.69],
  [2, 3.75, 0.98],
];

const EARTH_L3: readonly Term[] = [
  [289, 5.844, 6283.076],
  [35, 0, 0],
  [17, 5.49, 12566.15],
  [3, 5.2, 155.42],
  [1, 4.72, 3.52],
  [1, 5.3, 18849.23],
  [1, 5.97, 242.73],
];

const EARTH_L4: readonly Term[] = [
  [114, 3.142, 0],
  [8, 4.13, 6283.08],
  [1, 3.84, 12566.15],
];

const EARTH_L5: readonly Term[] = [[1, 3.14, 0]];

const EARTH_L = [EARTH_L0, EARTH_L1, EARTH_L2, EARTH_L3, EARTH_L4, EARTH_L5];

function series(terms: readonly Term[], tau: number): number {
  let sum = 0;
  for (const [a, b, c] of terms) sum += a * Math.cos(b + c * tau);
  return sum;
}

/** The Earth's heliocentric ecliptic longitude (VSOP87, dynamical ecliptic of date), radians. */
function earthHeliocentricLongitude(jde: number): number {
  const tau = (jde - 2451545.0) / 365250;
  let l = 0;
  let power = 1;
  for (const terms of EARTH_L) {
    l += series(terms, tau) * power;
    power *= tau;
  }
  return l / 1e8;
}

/** Nutation in longitude Δψ in degrees (Meeus chapter 22, the 0.5″ abridged form). */
function nutationInLongitude(T: number): number {
  const omega = 125.04452 - 1934.136261 * T + 0.0020708 * T * T + (T * T * T) / 450000;
  const lSun = 280.4665 + 36000.7698 * T;
  const lMoon = 218.3165 + 481267.8813 * T;
  const arcsec = -17.2 * sinDeg(omega) - 1.32 * sinDeg(2 * lSun) - 0.23 * sinDeg(2 * lMoon) + 0.21 * sinDeg(2 * omega);
  return arcsec / 3600;
}

/** The Sun's apparent geocentric longitude at `jde` (dynamical time), degrees in [0, 360). */
export function sunApparentLongitude(jde: number): number {
  const T = (jde - 2451545.0) / 36525;
  const geometric = earthHeliocentricLongitude(jde) / DEG + 180; // the Sun seen from the Earth
  // Conversion to the FK5 frame: ΔL = −0.09033″ (its latitude-dependent part is negligible).
  const fk5 = -0.09033 / 3600;
  // Aberration −20.4898″/R, with R from the Sun's mean anomaly (the 0.3″ error is immaterial).
  const M = 357.52911 + 35999.05029 * T;
  const R = 1.00014 - 0.016708 * Math.cos(M * DEG) - 0.000139 * Math.cos(2 * M * DEG);
  const aberration = -20.4898 / 3600 / R;
  return normDeg(geometric + fk5 + nutationInLongitude(T) + aberration);
}

/**
 * The instant (JDE) at which the Sun's apparent longitude equals `longitude` (degrees), found by
 * iteration from `approxJde`, which must be within a few weeks of the answer.
 */
export function solarLongitudeInstant(longitude: number, approxJde: number): number {
  let jde = approxJde;
  for (let i = 0; i < 50; i++) {
    // Signed angular distance still to go, in (−180, 180]; the Sun moves about 360/365.2422 °/day.
    let diff = normDeg(longitude - sunApparentLongitude(jde));
    if (diff > 180) diff -= 360;
    const step = (diff * 365.2422) / 360;
    jde += step;
    if (Math.abs(step) < 1e-7) return jde;
  }
  throw new Error(`solar longitude ${longitude}° did not converge near JDE ${approxJde}`);
}
