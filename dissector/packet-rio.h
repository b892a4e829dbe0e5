/*
 * packet-rio.h — what a device payload decoder needs from the RIO core.
 *
 * Device decoders register in the "rio.ioctl" dissector table, keyed by
 * IoControlCode, and receive the IOCTL buffer (request input or response
 * output) as their tvb.  The direction is passed twice: as a
 * rio_ioctl_data_t through the data pointer (for C decoders) and as
 * pinfo->p2p_dir (P2P_DIR_SENT = request, P2P_DIR_RECV = response) for Lua
 * decoders, which cannot read the data pointer.  A decoder returns the
 * number of bytes it decoded, or 0 to let the core show raw bytes.
 */
#ifndef PACKET_RIO_H
#define PACKET_RIO_H

#include <glib.h>

#define RIO_IOCTL_TABLE_NAME "rio.ioctl"

typedef struct rio_ioctl_data {
    gboolean is_response;     /* FALSE: request input; TRUE: response output */
    guint32 ioctl;            /* IoControlCode (a response's from its request) */
    guint32 output_length;    /* the request's OutputLength (0 if unknown) */
    guint32 status;           /* response Status (0 for requests) */
} rio_ioctl_data_t;

#endif /* PACKET_RIO_H */
