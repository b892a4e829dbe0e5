/*
 * toaster.c — payload decoders for the toaster device, plugged into the RIO
 * core through the "rio.ioctl" dissector table (see packet-rio.h).  Another
 * device adds its own file like this one (or a Lua script), without
 * touching the core.
 *
 *   IOCTL_TOASTER_GET_INFO      response output: TOASTER_INFO
 *   IOCTL_TOASTER_GET_STATUS    response output: TOASTER_STATUS
 *   IOCTL_TOASTER_SET_DARKNESS  request input:   u32 darkness
 */
#include <epan/packet.h>
#include <epan/expert.h>
#include <rio/rio.h>

#include "rio_compat.h"
#include "packet-rio.h"

#define RIO_VS_ENTRY(value, text) { (guint32)(value), text },
static const value_string state_vals[] = { RIO_TOASTER_STATE_TABLE(RIO_VS_ENTRY) { 0, NULL } };

static int proto_toaster = -1;

static int hf_serial = -1;
static int hf_capacity = -1;
static int hf_max_load = -1;
static int hf_firmware = -1;
static int hf_model = -1;
static int hf_state = -1;
static int hf_darkness = -1;
static int hf_loaded = -1;
static int hf_ready = -1;
static int hf_toast_count = -1;
static int hf_error_count = -1;

static gint ett_toaster = -1;

static expert_field ei_bad_size = EI_INIT;
static expert_field ei_darkness_range = EI_INIT;

/* The decoder's subtree, or NULL (and nothing decoded) for the direction
 * that carries no structure, e.g. a GET_INFO request's ignored input. */
static proto_tree *toaster_tree(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                const rio_ioctl_data_t *io, gboolean want_response,
                                guint size, const char *what)
{
    proto_item *item;

    if (!io || io->is_response != want_response)
        return NULL;
    item = proto_tree_add_item(tree, proto_toaster, tvb, 0, -1, ENC_NA);
    proto_item_append_text(item, ", %s", what);
    if (tvb_reported_length(tvb) != size)
        expert_add_info_format(pinfo, item, &ei_bad_size, "Expected %u bytes, got %u",
                               size, tvb_reported_length(tvb));
    return proto_item_add_subtree(item, ett_toaster);
}

/* One field of a fixed output structure. */
typedef struct {
    int *hf;
    int offset;
    int length;
    guint encoding;
} struct_field_t;

static const struct_field_t info_layout[] = {
    { &hf_serial, RIO_TOASTER_INFO_OFF_SERIAL, 4, ENC_LITTLE_ENDIAN },
    { &hf_capacity, RIO_TOASTER_INFO_OFF_CAPACITY, 4, ENC_LITTLE_ENDIAN },
    { &hf_max_load, RIO_TOASTER_INFO_OFF_MAX_LOAD, 4, ENC_LITTLE_ENDIAN },
    { &hf_firmware, RIO_TOASTER_INFO_OFF_FIRMWARE, 4, ENC_LITTLE_ENDIAN },
    { &hf_model, RIO_TOASTER_INFO_OFF_MODEL, RIO_TOASTER_MODEL_SIZE, ENC_ASCII },
    { NULL, 0, 0, 0 }
};

static const struct_field_t status_layout[] = {
    { &hf_state, RIO_TOASTER_STATUS_OFF_STATE, 4, ENC_LITTLE_ENDIAN },
    { &hf_darkness, RIO_TOASTER_STATUS_OFF_DARKNESS, 4, ENC_LITTLE_ENDIAN },
    { &hf_loaded, RIO_TOASTER_STATUS_OFF_LOADED, 4, ENC_LITTLE_ENDIAN },
    { &hf_ready, RIO_TOASTER_STATUS_OFF_READY, 4, ENC_LITTLE_ENDIAN },
    { &hf_toast_count, RIO_TOASTER_STATUS_OFF_TOAST_COUNT, 4, ENC_LITTLE_ENDIAN },
    { &hf_error_count, RIO_TOASTER_STATUS_OFF_ERROR_COUNT, 4, ENC_LITTLE_ENDIAN },
    { NULL, 0, 0, 0 }
};

/* A response's fixed-size output structure, field by field. */
static int dissect_output_struct(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data,
                                 const struct_field_t *layout, guint size, const char *what)
{
    proto_tree *t = toaster_tree(tvb, pinfo, tree, (rio_ioctl_data_t *)data, TRUE, size, what);

    if (!t)
        return 0;
    for (; layout->hf; layout++)
        proto_tree_add_item(t, *layout->hf, tvb, layout->offset, layout->length, layout->encoding);
    return tvb_captured_length(tvb);
}

static int dissect_info(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_output_struct(tvb, pinfo, tree, data, info_layout, RIO_TOASTER_INFO_SIZE, "TOASTER_INFO");
}

static int dissect_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_output_struct(tvb, pinfo, tree, data, status_layout, RIO_TOASTER_STATUS_SIZE, "TOASTER_STATUS");
}

static int dissect_darkness(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    proto_tree *t = toaster_tree(tvb, pinfo, tree, (rio_ioctl_data_t *)data, FALSE,
                                 RIO_TOASTER_DARKNESS_INPUT_SIZE, "SET_DARKNESS input");
    proto_item *di;
    guint32 darkness;

    if (!t)
        return 0;
    if (tvb_reported_length(tvb) < RIO_TOASTER_DARKNESS_INPUT_SIZE)
        return tvb_captured_length(tvb);
    di = proto_tree_add_item_ret_uint(t, hf_darkness, tvb, 0, 4, ENC_LITTLE_ENDIAN, &darkness);
    if (darkness < RIO_TOASTER_DARKNESS_MIN || darkness > RIO_TOASTER_DARKNESS_MAX)
        expert_add_info(pinfo, di, &ei_darkness_range);
    return tvb_captured_length(tvb);
}

void proto_register_rio_toaster(void);
void proto_reg_handoff_rio_toaster(void);

void proto_register_rio_toaster(void)
{
    static hf_register_info hf[] = {
        { &hf_serial, { "Serial number", "rio.toaster.serial", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_capacity, { "Capacity (slots)", "rio.toaster.capacity", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_max_load, { "Max load bytes", "rio.toaster.max_load", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_firmware, { "Firmware version", "rio.toaster.firmware", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_model, { "Model name", "rio.toaster.model", FT_STRINGZPAD, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_state, { "State", "rio.toaster.state", FT_UINT32, BASE_DEC, VALS(state_vals), 0, NULL, HFILL } },
        { &hf_darkness, { "Darkness", "rio.toaster.darkness", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_loaded, { "Loaded bytes", "rio.toaster.loaded_bytes", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ready, { "Ready bytes", "rio.toaster.ready_bytes", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_toast_count, { "Toast count", "rio.toaster.toast_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_error_count, { "Error count", "rio.toaster.error_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_toaster };
    static ei_register_info ei[] = {
        { &ei_bad_size, { "rio.toaster.bad_size", PI_MALFORMED, PI_WARN, "IOCTL buffer has the wrong size", EXPFILL } },
        { &ei_darkness_range, { "rio.toaster.darkness_range", PI_PROTOCOL, PI_WARN, "Darkness out of range", EXPFILL } },
    };

    proto_toaster = proto_register_protocol("RIO Toaster device", "RIO Toaster", "rio.toaster");
    proto_register_field_array(proto_toaster, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_toaster), ei, array_length(ei));
}

void proto_reg_handoff_rio_toaster(void)
{
    static const struct { guint32 ioctl; dissector_t fn; } decoders[] = {
        { RIO_IOCTL_TOASTER_GET_INFO, dissect_info },
        { RIO_IOCTL_TOASTER_GET_STATUS, dissect_status },
        { RIO_IOCTL_TOASTER_SET_DARKNESS, dissect_darkness },
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(decoders); i++)
        dissector_add_uint(RIO_IOCTL_TABLE_NAME, decoders[i].ioctl,
                           create_dissector_handle(decoders[i].fn, proto_toaster));
}
