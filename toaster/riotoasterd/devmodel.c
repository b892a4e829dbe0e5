/* devmodel.c — the device models by kind (devmodel.h). */
#include <string.h>

#include "devmodel.h"

const device_ops *const devmodel_kinds[] = {&devmodel_toaster, &devmodel_modem, &devmodel_tty};
const size_t devmodel_nkinds = sizeof devmodel_kinds / sizeof devmodel_kinds[0];

const device_ops *devmodel_find(const char *kind)
{
    for (size_t i = 0; i < devmodel_nkinds; i++)
        if (strcmp(devmodel_kinds[i]->kind, kind) == 0)
            return devmodel_kinds[i];
    return NULL;
}
