/*
 * colormap.h - a perceptually ordered colour scale for heatmaps.
 *
 * Lightness (CIE L*) rises linearly from COLORMAP_LIGHTNESS_LOW to
 * COLORMAP_LIGHTNESS_HIGH while the hue turns from blue through cyan and
 * green to yellow, so equal steps of value look like equal steps of
 * lightness and the scale stays readable in grey print and for common
 * colour-vision deficiencies. Chroma is reduced where a colour would fall
 * outside sRGB. Computed from the CIELAB and sRGB definitions (CIE 15,
 * IEC 61966-2-1); no table is copied from elsewhere.
 */
#ifndef MTABLE_COLORMAP_H
#define MTABLE_COLORMAP_H

/* Lightness of the lowest value: dark, yet distinct from black outlines. */
#define COLORMAP_LIGHTNESS_LOW 18.0
/* Lightness of the highest value: near white, still yellow. */
#define COLORMAP_LIGHTNESS_HIGH 94.0

/* sRGB colour (components 0..1) of position t (clamped to 0..1) on the scale. */
void colormap_color(double t, double rgb[3]);

#endif
