/* Unit tests: names and reverse lookups from rio.h's tables. */
#include <string.h>

#include "check.h"
#include "rio/librio.h"

int main(void)
{
    char buf[32];
    CHECK(strcmp(rio_major_name(RIO_MJ_DEVICE_CONTROL), "DEVICE_CONTROL") == 0);
    CHECK(rio_major_name(0x7F) == NULL);
    CHECK(strcmp(rio_major_str(0x7F, buf, sizeof buf), "0x7F") == 0);
    CHECK(strcmp(rio_status_name(RIO_STATUS_SHARING_VIOLATION), "STATUS_SHARING_VIOLATION") == 0);
    CHECK(strcmp(rio_status_str(0xC0001234, buf, sizeof buf), "0xC0001234") == 0);
    CHECK(strcmp(rio_ioctl_name(RIO_IOCTL_TOASTER_EJECT), "IOCTL_TOASTER_EJECT") == 0);
    CHECK(strcmp(rio_toaster_state_name(RIO_TOASTER_STATE_TOASTING), "TOASTING") == 0);

    uint8_t mj;
    uint32_t v;
    CHECK(rio_major_parse("read", &mj) && mj == RIO_MJ_READ);
    CHECK(rio_major_parse("IRP_MJ_CLOSE", &mj) && mj == RIO_MJ_CLOSE);
    CHECK(rio_major_parse("0x0e", &mj) && mj == RIO_MJ_DEVICE_CONTROL);
    CHECK(!rio_major_parse("0x100", &mj));
    CHECK(!rio_major_parse("bogus", &mj));
    CHECK(rio_status_parse("SUCCESS", &v) && v == RIO_STATUS_SUCCESS);
    CHECK(rio_status_parse("status_device_busy", &v) && v == RIO_STATUS_DEVICE_BUSY);
    CHECK(rio_ioctl_parse("TOASTER_START", &v) && v == RIO_IOCTL_TOASTER_START);
    CHECK(rio_ioctl_parse("IOCTL_TOASTER_GET_INFO", &v) && v == RIO_IOCTL_TOASTER_GET_INFO);
    CHECK(rio_ioctl_parse("0x00222010", &v) && v == 0x00222010);
    CHECK(!rio_ioctl_parse("-1", &v));

    CHECK_EQ(RIO_IOCTL_FUNCTION(RIO_IOCTL_TOASTER_SET_DARKNESS), 0x802);
    CHECK_EQ(RIO_IOCTL_ACCESS(RIO_IOCTL_TOASTER_SET_DARKNESS), RIO_FILE_WRITE_ACCESS);
    CHECK_EQ(RIO_IOCTL_DEVICE_TYPE(RIO_IOCTL_TOASTER_GET_INFO), RIO_FILE_DEVICE_UNKNOWN);
    CHECK_EQ(RIO_IOCTL_METHOD(RIO_IOCTL_TOASTER_GET_INFO), RIO_METHOD_BUFFERED);
    CHECK(RIO_STATUS_IS_ERROR(RIO_STATUS_INVALID_HANDLE));
    CHECK(!RIO_STATUS_IS_ERROR(RIO_STATUS_DEVICE_BUSY));
    return check_report("test_names");
}
