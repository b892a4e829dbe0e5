/*
 * rio_int.h — what every file of the RIO core includes first, and the map
 * of the core (not for device decoders: they only need packet-rio.h).
 *
 *   packet-rio.c    registration, fields, experts, preferences; one PDU's
 *                   tree and Info text
 *   rio_frame.c     which bytes are a PDU: librio's header checks and
 *                   resync rule applied to the TCP stream, PDU lengths
 *   rio_conv.c      per-conversation state: framing mode of each
 *                   direction, request/response matching by Sequence
 *   rio_stats.c     service response time table and statistics tree
 *   rio_names.c     value_strings from rio.h's tables
 *   rio_device.c    device descriptions (the .riodev files, lib/riodev):
 *                   fields rio.dev.<device>.<field>, IOCTL buffer decoding
 *   plugin.c        the plugin's entry points
 *
 * Each .c file has a header of its own; the headers include one another
 * without a cycle (packet-rio -> frame -> conv -> names; stats -> conv;
 * device stands alone; dissector/tests/test_structure.py checks it).
 * The fixed header is librio's rio_header (rio/librio.h), decoded and
 * validated by librio's rio_header_decode: the dissector has no checks of
 * its own.
 */
#ifndef RIO_INT_H
#define RIO_INT_H

#include <epan/packet.h>
#include <rio/rio.h>
#include <rio/librio.h>

#include "rio_compat.h"

#endif /* RIO_INT_H */
