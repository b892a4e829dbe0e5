/*
 * rio_device.c — IOCTL buffers decoded by the device descriptions.
 *
 * Two sets of descriptions: the default path's, loaded once when the
 * plugin registers (their fields are permanent, and listed by
 * `tshark -G fields`, which runs before preferences are read), and the
 * rio.devices_dir folder's, reloaded whenever the preference is applied.
 * The folder's fields are registered at that point and unregistered when
 * the folder changes, the way packet-http.c registers its custom header
 * fields from a UAT.  A folder's device that clashes with a default one
 * (same name or IOCTL code) is refused: the default path decides.
 *
 * Each device gets one field per distinct filter name (riodev's
 * device->filters; field->filter_index points there), typed from the
 * description: integers with their base and enum names, flags shown by
 * name, text, bytes.  Padding has no field.
 */
#include <dlfcn.h>

#include <epan/packet.h>
#include <epan/expert.h>
#include <wsutil/report_message.h>

#include "rio_device.h"

static int proto_rio_dev = -1;
static gint ett_rio_dev = -1;
static expert_field ei_rio_dev_bad_size = EI_INIT;
static expert_field ei_rio_dev_out_of_range = EI_INIT;

/* The fields of one device: hf[i] for device->filters[i]. */
typedef struct {
    const riodev_device *dev;
    int *hf;
    hf_register_info *reg;  /* what was registered (the folder's: to unregister) */
} dev_fields_t;

typedef struct {
    riodev_set *set;
    GHashTable *fields;     /* const riodev_device * -> dev_fields_t * (registered devices only) */
} dev_source_t;

static dev_source_t defaults;  /* riodev's default path */
static dev_source_t folder;    /* the rio.devices_dir preference */

/* What a PDU needs to know about a described IOCTL, found by one hash
 * lookup (riodev_find_ioctl walks every device). */
typedef struct {
    const riodev_ioctl *ioctl;
    const dev_fields_t *fields;
    const char *device;  /* interned: lives as long as the plugin */
} ioctl_entry_t;

static GHashTable *ioctl_index;   /* IoControlCode -> ioctl_entry_t * */
static GHashTable *device_index;  /* interned device name -> const riodev_device * */

/* ---- Fields from a description ------------------------------------------ */

static enum ftenum int_ftype(riodev_type type)
{
    switch (type) {
    case RIODEV_U8: return FT_UINT8;
    case RIODEV_U16: return FT_UINT16;
    case RIODEV_U32: return FT_UINT32;
    case RIODEV_U64: return FT_UINT64;
    case RIODEV_I8: return FT_INT8;
    case RIODEV_I16: return FT_INT16;
    case RIODEV_I32: return FT_INT32;
    case RIODEV_I64: return FT_INT64;
    default: return FT_NONE;
    }
}

static gboolean is_signed_type(riodev_type type)
{
    return type >= RIODEV_I8 && type <= RIODEV_I64;
}

/* An enum's names as Wireshark value strings (g_malloc'd: Wireshark frees
 * them with an unregistered field). */
static const void *enum_strings(const riodev_names *names, gboolean wide)
{
    size_t i;

    if (wide) {
        val64_string *vs = g_new0(val64_string, names->count + 1);

        for (i = 0; i < names->count; i++) {
            vs[i].value = names->items[i].value;
            vs[i].strptr = g_strdup(names->items[i].name);
        }
        return vs;
    } else {
        value_string *vs = g_new0(value_string, names->count + 1);

        for (i = 0; i < names->count; i++) {
            vs[i].value = (guint32)names->items[i].value;
            vs[i].strptr = g_strdup(names->items[i].name);
        }
        return vs;
    }
}

static void field_info_from(header_field_info *hfi, const riodev_field *f)
{
    hfi->name = g_strdup(f->name);
    hfi->abbrev = g_strdup(f->filter);
    hfi->bitmask = 0;
    hfi->blurb = g_strdup_printf("%s of the %s device (%s)", f->name, f->parent->device->name,
                                 riodev_type_name(f->type));
    hfi->strings = NULL;
    if (f->type == RIODEV_CHAR) {
        hfi->type = FT_STRINGZPAD;
        hfi->display = BASE_NONE;
    } else if (f->type == RIODEV_BYTES) {
        hfi->type = FT_BYTES;
        hfi->display = BASE_NONE;
    } else {
        hfi->type = int_ftype(f->type);
        /* Wireshark shows signed integers in decimal only; flags are shown
         * by name (rio_device_dissect_ioctl), in hex. */
        hfi->display = (f->base == RIODEV_HEX && !is_signed_type(f->type)) ? BASE_HEX : BASE_DEC;
        if (f->names && !f->names->is_flags) {
            gboolean wide = f->size == 8;

            hfi->strings = enum_strings(f->names, wide);
            if (wide)
                hfi->display |= BASE_VAL64_STRING;
        }
    }
}

/* Register one field per filter name of dev on proto_rio_dev. */
static dev_fields_t *register_device(const riodev_device *dev)
{
    dev_fields_t *df = g_new0(dev_fields_t, 1);
    size_t i, n = dev->filter_count;

    df->dev = dev;
    df->hf = g_new(int, n ? n : 1);
    df->reg = g_new0(hf_register_info, n ? n : 1);
    for (i = 0; i < n; i++) {
        df->hf[i] = -1;
        df->reg[i].p_id = &df->hf[i];
        HFILL_INIT(df->reg[i]);
        field_info_from(&df->reg[i].hfinfo, dev->filters[i]);
    }
    if (n)
        proto_register_field_array(proto_rio_dev, df->reg, (int)n);
    return df;
}

static void unregister_device(gpointer key _U_, gpointer value, gpointer user _U_)
{
    dev_fields_t *df = (dev_fields_t *)value;
    size_t i;

    for (i = 0; i < df->dev->filter_count; i++)
        proto_deregister_field(proto_rio_dev, df->hf[i]);
    proto_add_deregistered_data(df->reg);  /* names, abbrevs and strings go with the fields */
    g_free(df->hf);
    g_free(df);
}

/* ---- Loading ------------------------------------------------------------ */

/* One line per problem, as riodev words it ("<file>:<line>: ..."). */
static void report_load_error(GError *error)
{
    char **lines = g_strsplit(error->message, "\n", -1);
    char **l;

    for (l = lines; *l; l++)
        if (**l)
            report_failure("RIO device description skipped: %s", *l);
    g_strfreev(lines);
    g_error_free(error);
}

/* What a folder's device has that the default path already describes:
 * its name or one of its IOCTL codes (NULL: nothing). */
static const char *clash_with_defaults(const riodev_device *dev)
{
    size_t i;

    if (riodev_find_device(defaults.set, dev->name))
        return "its name";
    for (i = 0; i < dev->ioctl_count; i++)
        if (riodev_find_ioctl(defaults.set, dev->ioctls[i].code))
            return dev->ioctls[i].name;
    return NULL;
}

static void load_source(dev_source_t *src, char **dirs, gboolean check_clash)
{
    size_t i;

    src->set = riodev_set_new();
    src->fields = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (; *dirs; dirs++) {
        GError *error = NULL;

        if (!riodev_set_add_dir(src->set, *dirs, &error))
            report_load_error(error);
    }
    for (i = 0; i < riodev_device_count(src->set); i++) {
        const riodev_device *dev = riodev_device_at(src->set, i);
        const char *clash = check_clash ? clash_with_defaults(dev) : NULL;

        if (clash) {
            report_failure("RIO device description skipped: %s: device %s: %s is already described "
                           "by the default path", dev->path, dev->name, clash);
            continue;
        }
        g_hash_table_insert(src->fields, (gpointer)dev, register_device(dev));
    }
}

static void unload_source(dev_source_t *src)
{
    if (!src->set)
        return;
    g_hash_table_foreach(src->fields, unregister_device, NULL);
    g_hash_table_destroy(src->fields);
    riodev_free(src->set);
    src->set = NULL;
    src->fields = NULL;
}

/* ---- Lookups -------------------------------------------------------------- */

static void index_device(gpointer key, gpointer value, gpointer user _U_)
{
    const riodev_device *dev = (const riodev_device *)key;
    const char *name = g_intern_string(dev->name);
    size_t i;

    g_hash_table_insert(device_index, (gpointer)name, (gpointer)dev);
    for (i = 0; i < dev->ioctl_count; i++) {
        ioctl_entry_t *e = g_new(ioctl_entry_t, 1);

        e->ioctl = &dev->ioctls[i];
        e->fields = (const dev_fields_t *)value;
        e->device = name;
        g_hash_table_insert(ioctl_index, GUINT_TO_POINTER(dev->ioctls[i].code), e);
    }
}

/* The index of the registered devices of both sources (a folder's device
 * never shares a name or a code with a default one). */
static void rebuild_index(void)
{
    dev_source_t *sources[] = { &defaults, &folder };
    guint i;

    if (!ioctl_index) {
        ioctl_index = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        device_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    g_hash_table_remove_all(ioctl_index);
    g_hash_table_remove_all(device_index);
    for (i = 0; i < G_N_ELEMENTS(sources); i++)
        if (sources[i]->fields)
            g_hash_table_foreach(sources[i]->fields, index_device, NULL);
}

void rio_device_set_folder(const char *dir)
{
    char *dirs[2];

    unload_source(&folder);
    if (dir && *dir) {
        dirs[0] = (char *)dir;
        dirs[1] = NULL;
        load_source(&folder, dirs, TRUE);
    }
    rebuild_index();
}

static const ioctl_entry_t *find_ioctl(guint32 code)
{
    return ioctl_index ? (const ioctl_entry_t *)g_hash_table_lookup(ioctl_index, GUINT_TO_POINTER(code)) : NULL;
}

const char *rio_device_ioctl_name(guint32 code)
{
    const ioctl_entry_t *e = find_ioctl(code);

    return e ? e->ioctl->name : NULL;
}

const char *rio_device_of_ioctl(guint32 code)
{
    const ioctl_entry_t *e = find_ioctl(code);

    return e ? e->device : NULL;
}

gboolean rio_device_data_is_text(const char *device, gboolean is_write)
{
    /* device is interned (rio_device_of_ioctl): its address is its key */
    const riodev_device *dev = device && device_index ?
        (const riodev_device *)g_hash_table_lookup(device_index, device) : NULL;

    if (!dev)
        return FALSE;
    return (is_write ? dev->write_data : dev->read_data) == RIODEV_DATA_TEXT;
}

/* ---- Decoding ------------------------------------------------------------- */

typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    const dev_fields_t *df;
} decode_ctx_t;

static proto_item *add_integer(const decode_ctx_t *c, int hf, const riodev_value *v)
{
    const riodev_field *f = v->field;
    proto_item *it;
    char *text;

    if (f->names && f->names->is_flags) {
        /* Wireshark has no flags display for a plain integer: riodev words
         * it ("CTS|DSR (0x30)"), the value stays filterable. */
        text = riodev_value_text(v);
        if (f->size == 8)
            it = proto_tree_add_uint64_format_value(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size,
                                                    v->u, "%s", text);
        else
            it = proto_tree_add_uint_format_value(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size,
                                                  (guint32)v->u, "%s", text);
        g_free(text);
        return it;
    }
    if (is_signed_type(f->type))
        return f->size == 8 ?
            proto_tree_add_int64(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, (gint64)v->u) :
            proto_tree_add_int(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, (gint32)v->u);
    return f->size == 8 ?
        proto_tree_add_uint64(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, v->u) :
        proto_tree_add_uint(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, (guint32)v->u);
}

static void flag_out_of_range(const decode_ctx_t *c, proto_item *it, const riodev_value *v)
{
    const riodev_field *f = v->field;

    if (is_signed_type(f->type))
        expert_add_info_format(c->pinfo, it, &ei_rio_dev_out_of_range,
                               "%s %" G_GINT64_FORMAT " is out of its range %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                               f->name, (gint64)v->u, (gint64)f->range_lo, (gint64)f->range_hi);
    else
        expert_add_info_format(c->pinfo, it, &ei_rio_dev_out_of_range,
                               "%s %" G_GUINT64_FORMAT " is out of its range %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                               f->name, (guint64)v->u, (guint64)f->range_lo, (guint64)f->range_hi);
}

static bool add_value(const riodev_value *v, void *user)
{
    const decode_ctx_t *c = (const decode_ctx_t *)user;
    const riodev_field *f = v->field;
    int hf;
    proto_item *it;

    if (f->filter_index < 0)
        return true;  /* padding */
    hf = c->df->hf[f->filter_index];
    if (f->type == RIODEV_CHAR)
        it = proto_tree_add_item(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, ENC_UTF_8);
    else if (f->type == RIODEV_BYTES)
        it = proto_tree_add_item(c->tree, hf, c->tvb, (gint)v->offset, (gint)v->size, ENC_NA);
    else
        it = add_integer(c, hf, v);
    if (!v->in_range)
        flag_out_of_range(c, it, v);
    return true;
}

gboolean rio_device_dissect_ioctl(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                  guint32 code, gboolean is_response)
{
    const ioctl_entry_t *e = find_ioctl(code);
    const riodev_ioctl *ioctl = e ? e->ioctl : NULL;
    const riodev_struct *s;
    decode_ctx_t ctx;
    proto_item *item;
    guint len = tvb_reported_length(tvb), have = tvb_captured_length(tvb);

    if (!ioctl || !proto_is_protocol_enabled(find_protocol_by_id(proto_rio_dev)))
        return FALSE;
    s = is_response ? ioctl->output : ioctl->input;
    if (!s)
        return FALSE;
    item = proto_tree_add_item(tree, proto_rio_dev, tvb, 0, -1, ENC_NA);
    proto_item_append_text(item, ", %s %s (%s %s)", ioctl->device->name, s->name, ioctl->name,
                           is_response ? "output" : "input");
    if (s->variable ? len < s->size : len != s->size)
        expert_add_info_format(pinfo, item, &ei_rio_dev_bad_size, "%s is %s%zu bytes, the buffer %u",
                               s->name, s->variable ? "at least " : "", s->size, len);
    ctx.tvb = tvb;
    ctx.pinfo = pinfo;
    ctx.tree = proto_item_add_subtree(item, ett_rio_dev);
    ctx.df = e->fields;
    riodev_decode(s, have ? tvb_get_ptr(tvb, 0, (gint)have) : NULL, have, add_value, &ctx);
    return TRUE;
}

/* ---- Registration ----------------------------------------------------------- */

/* The descriptions installed with this plugin: from the plugin's folder
 * (<prefix>/RIO_PLUGIN_SUBDIR, set by CMake; "" when the plugin is not
 * installed below the prefix) to <prefix>/RIO_DEVICES_SUBDIR; NULL when
 * the plugin is not where an installation puts it (a build folder, the
 * personal plugin folder). */
static char *installed_with_the_plugin(void)
{
    Dl_info info;
    char *folder, *found = NULL;
    size_t n, suffix = strlen(RIO_PLUGIN_SUBDIR);

    if (!*RIO_PLUGIN_SUBDIR || !dladdr((void *)installed_with_the_plugin, &info) || !info.dli_fname)
        return NULL;
    folder = g_path_get_dirname(info.dli_fname);
    n = strlen(folder);
    if (n > suffix && folder[n - suffix - 1] == G_DIR_SEPARATOR && strcmp(folder + n - suffix, RIO_PLUGIN_SUBDIR) == 0) {
        folder[n - suffix - 1] = '\0';
        found = g_build_filename(folder, RIO_DEVICES_SUBDIR, NULL);
        if (!g_file_test(found, G_FILE_TEST_IS_DIR)) {
            g_free(found);
            found = NULL;
        }
    }
    g_free(folder);
    return found;
}

/* riodev's search path (RIO_DEVICE_PATH, else its installed folder, else
 * the source tree's), except that an installed plugin reads the
 * descriptions of its own installation. */
static char **default_dirs(void)
{
    char *mine = g_getenv(RIODEV_PATH_ENV) ? NULL : installed_with_the_plugin();
    char **dirs;

    if (!mine)
        return riodev_default_dirs();
    dirs = g_new0(char *, 2);
    dirs[0] = mine;
    return dirs;
}

/* The strings of a field that no registry refers to any more. */
static void free_field_info(header_field_info *hfi)
{
    g_free((char *)hfi->name);
    g_free((char *)hfi->abbrev);
    g_free((char *)hfi->blurb);
    if (hfi->strings && (hfi->display & BASE_VAL64_STRING)) {
        val64_string *vs = (val64_string *)hfi->strings;
        size_t i;

        for (i = 0; vs[i].strptr; i++)
            g_free((char *)vs[i].strptr);
    } else if (hfi->strings) {
        value_string *vs = (value_string *)hfi->strings;
        size_t i;

        for (i = 0; vs[i].strptr; i++)
            g_free((char *)vs[i].strptr);
    }
    g_free((void *)hfi->strings);
}

static void free_device_fields(gpointer key _U_, gpointer value, gpointer user _U_)
{
    dev_fields_t *df = (dev_fields_t *)value;
    size_t i;

    for (i = 0; i < df->dev->filter_count; i++)
        free_field_info(&df->reg[i].hfinfo);
    g_free(df->reg);
    g_free(df->hf);
    g_free(df);
}

/* At exit, after Wireshark's field registry is gone (shutdown routines run
 * after proto_cleanup): our copies of the fields, the descriptions and
 * the index, without unregistering anything. */
static void forget_devices(void)
{
    dev_source_t *sources[] = { &defaults, &folder };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(sources); i++) {
        if (!sources[i]->set)
            continue;
        g_hash_table_foreach(sources[i]->fields, free_device_fields, NULL);
        g_hash_table_destroy(sources[i]->fields);
        riodev_free(sources[i]->set);
        sources[i]->set = NULL;
        sources[i]->fields = NULL;
    }
    if (ioctl_index) {
        g_hash_table_destroy(ioctl_index);
        g_hash_table_destroy(device_index);
        ioctl_index = device_index = NULL;
    }
}

void rio_device_register(void)
{
    static gint *ett[] = { &ett_rio_dev };
    static ei_register_info ei[] = {
        { &ei_rio_dev_bad_size,
          { "rio.dev.bad_size", PI_MALFORMED, PI_WARN,
            "IOCTL buffer size differs from its description", EXPFILL }},
        { &ei_rio_dev_out_of_range,
          { "rio.dev.out_of_range", PI_PROTOCOL, PI_WARN,
            "Value out of its described range", EXPFILL }},
    };
    char **dirs;

    proto_rio_dev = proto_register_protocol("RIO device payload", "RIO device", "rio.dev");
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_rio_dev), ei, array_length(ei));
    dirs = default_dirs();
    load_source(&defaults, dirs, FALSE);
    g_strfreev(dirs);
    rebuild_index();
    register_shutdown_routine(forget_devices);
}
