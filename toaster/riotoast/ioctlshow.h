/*
 * ioctlshow.h — show the toaster's IOCTL output structures field by field
 * (layouts from rio/rio.h; field names as in the DDK sample).
 */
#ifndef RIOTOAST_IOCTLSHOW_H
#define RIOTOAST_IOCTLSHOW_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* Each returns false (and shows nothing) if len is not the struct size. */
bool decode_toaster_info(rt_output *o, const uint8_t *data, size_t len);
bool decode_toaster_status(rt_output *o, const uint8_t *data, size_t len);

/* Decode a response's data if its IOCTL has a known output structure. */
void decode_ioctl_output(rt_output *o, uint32_t ioctl, const uint8_t *data, size_t len);

#endif /* RIOTOAST_IOCTLSHOW_H */
