/* fuzz_riodev.c — libFuzzer: any bytes as a description file; when they
 * load, the same bytes decoded with every struct, and every value worded.
 * Nothing may crash, leak or read outside a buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riodev.h"

static bool word(const riodev_value *v, void *user)
{
    (void)user;
    g_free(riodev_value_text(v));
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    riodev_set *set = riodev_set_new();
    GError *err = NULL;
    if (riodev_set_add_data(set, "fuzz.riodev", (const char *)data, size, &err)) {
        const riodev_device *d = riodev_device_at(set, 0);
        for (size_t i = 0; i < d->struct_count; i++) {
            /* an exact-size copy, so ASan sees a read one byte over */
            uint8_t *buf = malloc(size ? size : 1);
            memcpy(buf, data, size);
            riodev_decode(&d->structs[i], buf, size, word, NULL);
            free(buf);
        }
    } else {
        g_error_free(err);
    }
    riodev_free(set);
    return 0;
}
