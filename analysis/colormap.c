/*
 * colormap.c - CIELAB (D65) to sRGB along the scale's path.
 */
#include "colormap.h"

#include <math.h>
#include <stdbool.h>

/* Hue angles (degrees, CIELAB h) at the two ends: blue-violet, then yellow. */
#define HUE_LOW  290.0
#define HUE_HIGH 95.0
/* Chroma wanted at the ends; reduced where sRGB cannot show it. */
#define CHROMA_LOW  38.0
#define CHROMA_HIGH 62.0
/* D65 reference white, CIE 1931 2-degree observer. */
#define WHITE_X 0.95047
#define WHITE_Z 1.08883

static double lab_inverse(double f)
{
    const double delta = 6.0 / 29.0;
    return f > delta ? f * f * f : 3 * delta * delta * (f - 4.0 / 29.0);
}

static double srgb_encode(double linear)
{
    return linear <= 0.0031308 ? 12.92 * linear : 1.055 * pow(linear, 1 / 2.4) - 0.055;
}

/* Converts L*, a*, b* to sRGB; false if the colour is outside the sRGB gamut. */
static bool lab_to_srgb(double lightness, double a, double b, double rgb[3])
{
    double fy = (lightness + 16) / 116;
    double x = WHITE_X * lab_inverse(fy + a / 500);
    double y = lab_inverse(fy);
    double z = WHITE_Z * lab_inverse(fy - b / 200);
    double linear[3] = {3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
                        -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
                        0.0556434 * x - 0.2040259 * y + 1.0572252 * z};
    bool inside = true;
    for (int i = 0; i < 3; i++) {
        inside = inside && linear[i] >= -1e-9 && linear[i] <= 1 + 1e-9;
        double clamped = linear[i] < 0 ? 0 : linear[i] > 1 ? 1 : linear[i];
        rgb[i] = srgb_encode(clamped);
    }
    return inside;
}

void colormap_color(double t, double rgb[3])
{
    t = t < 0 || isnan(t) ? 0 : t > 1 ? 1 : t;
    double lightness =
        COLORMAP_LIGHTNESS_LOW + (COLORMAP_LIGHTNESS_HIGH - COLORMAP_LIGHTNESS_LOW) * t;
    double hue = (HUE_LOW + (HUE_HIGH - HUE_LOW) * t) * M_PI / 180;
    double chroma = CHROMA_LOW + (CHROMA_HIGH - CHROMA_LOW) * t;
    /* Largest chroma up to the wanted one that sRGB can show, by bisection. */
    double low = 0, high = chroma;
    if (!lab_to_srgb(lightness, chroma * cos(hue), chroma * sin(hue), rgb)) {
        for (int i = 0; i < 30; i++) {
            double middle = (low + high) / 2;
            if (lab_to_srgb(lightness, middle * cos(hue), middle * sin(hue), rgb))
                low = middle;
            else
                high = middle;
        }
        lab_to_srgb(lightness, low * cos(hue), low * sin(hue), rgb);
    }
}
