/* Unit tests of the toaster state machine (brief section 5, DESIGN.md). */
#include <string.h>

#include "check.h"
#include "toasterdev.h"

static uint8_t scratch[RIO_TOASTER_INFO_SIZE];

static toaster_reply ioctl0(toaster *t, uint32_t code, uint32_t out_len, uint32_t *levels)
{
    return toaster_ioctl(t, code, NULL, 0, out_len, scratch, levels);
}

static toaster_reply set_darkness(toaster *t, uint32_t level)
{
    uint8_t in[4];
    uint32_t levels;
    rio_put_le32(in, level);
    return toaster_ioctl(t, RIO_IOCTL_TOASTER_SET_DARKNESS, in, sizeof in, 0, scratch, &levels);
}

static uint32_t status_field(toaster *t, unsigned off)
{
    uint32_t levels;
    toaster_reply r = ioctl0(t, RIO_IOCTL_TOASTER_GET_STATUS, RIO_TOASTER_STATUS_SIZE, &levels);
    CHECK_EQ(r.status, RIO_STATUS_SUCCESS);
    return rio_get_le32(r.data + off);
}

static void test_fresh_and_info(void)
{
    toaster t;
    toaster_init(&t, 7, 0);
    uint32_t levels;
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_EMPTY);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_DARKNESS), RIO_TOASTER_DARKNESS_DEFAULT);
    toaster_reply r = ioctl0(&t, RIO_IOCTL_TOASTER_GET_INFO, 1000, &levels);
    CHECK_EQ(r.status, RIO_STATUS_SUCCESS);
    CHECK_EQ(r.data_length, RIO_TOASTER_INFO_SIZE);
    CHECK_EQ(r.information, RIO_TOASTER_INFO_SIZE);
    CHECK_EQ(rio_get_le32(r.data + RIO_TOASTER_INFO_OFF_SERIAL), 7);
    CHECK_EQ(rio_get_le32(r.data + RIO_TOASTER_INFO_OFF_CAPACITY), RIO_TOASTER_CAPACITY);
    CHECK_EQ(rio_get_le32(r.data + RIO_TOASTER_INFO_OFF_MAX_LOAD), RIO_TOASTER_MAX_LOAD_BYTES);
    CHECK_EQ(rio_get_le32(r.data + RIO_TOASTER_INFO_OFF_FIRMWARE), RIO_TOASTER_FIRMWARE_VERSION);
    CHECK(memcmp(r.data + RIO_TOASTER_INFO_OFF_MODEL, RIO_TOASTER_MODEL_NAME, sizeof RIO_TOASTER_MODEL_NAME) == 0);
    r = ioctl0(&t, RIO_IOCTL_TOASTER_GET_INFO, RIO_TOASTER_INFO_SIZE - 1, &levels);
    CHECK_EQ(r.status, RIO_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(r.data_length, 0);
    r = ioctl0(&t, RIO_IOCTL_TOASTER_GET_STATUS, RIO_TOASTER_STATUS_SIZE - 1, &levels);
    CHECK_EQ(r.status, RIO_STATUS_BUFFER_TOO_SMALL);
    r = ioctl0(&t, 0x00222014, 0, &levels);
    CHECK_EQ(r.status, RIO_STATUS_INVALID_DEVICE_REQUEST);
    toaster_free(&t);
}

static void test_write_start_read(void)
{
    toaster t;
    toaster_init(&t, 1, 0);
    uint32_t levels;
    static uint8_t bread[RIO_TOASTER_MAX_LOAD_BYTES + 10];
    for (size_t i = 0; i < sizeof bread; i++)
        bread[i] = (uint8_t)(i * 7);
    CHECK_EQ(ioctl0(&t, RIO_IOCTL_TOASTER_START, 0, &levels).status, RIO_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(toaster_write(&t, NULL, 0).information, 0); /* a WRITE without data */
    CHECK_EQ(ioctl0(&t, RIO_IOCTL_TOASTER_EJECT, 0, &levels).status, RIO_STATUS_SUCCESS); /* nothing to move */
    CHECK_EQ(toaster_read(&t, 10).data_length, 0);
    toaster_reply r = toaster_write(&t, bread, 100);
    CHECK_EQ(r.information, 100);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_LOADED);
    r = toaster_write(&t, bread + 100, sizeof bread - 100);
    CHECK_EQ(r.information, RIO_TOASTER_MAX_LOAD_BYTES - 100);
    CHECK_EQ(toaster_write(&t, bread, 5).information, 0);
    CHECK_EQ(set_darkness(&t, 3).status, RIO_STATUS_SUCCESS);
    r = ioctl0(&t, RIO_IOCTL_TOASTER_START, 0, &levels);
    CHECK_EQ(r.status, RIO_STATUS_SUCCESS);
    CHECK_EQ(levels, 3);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_TOASTING);
    CHECK_EQ(toaster_write(&t, bread, 1).status, RIO_STATUS_DEVICE_BUSY);
    CHECK_EQ(set_darkness(&t, 4).status, RIO_STATUS_DEVICE_BUSY);
    CHECK_EQ(set_darkness(&t, 0).status, RIO_STATUS_INVALID_PARAMETER); /* input checked first */
    CHECK_EQ(ioctl0(&t, RIO_IOCTL_TOASTER_START, 0, &levels).status, RIO_STATUS_DEVICE_BUSY);
    toaster_finish_cycle(&t);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_READY);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_TOAST_COUNT), 1);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_READY), RIO_TOASTER_MAX_LOAD_BYTES);
    /* New bread while toast is ready: ready toast does not count. */
    CHECK_EQ(toaster_write(&t, bread, 10).information, 10);
    size_t got = 0;
    while (got < RIO_TOASTER_MAX_LOAD_BYTES) {
        r = toaster_read(&t, 1000);
        CHECK(r.data_length > 0);
        CHECK(memcmp(r.data, bread + got, r.data_length) == 0);
        got += r.data_length;
    }
    CHECK_EQ(toaster_read(&t, 1000).data_length, 0);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_LOADED);
    toaster_free(&t);
}

static void test_eject_and_reset(void)
{
    toaster t;
    toaster_init(&t, 1, 0);
    uint32_t levels;
    CHECK_EQ(ioctl0(&t, RIO_IOCTL_TOASTER_EJECT, 0, &levels).status, RIO_STATUS_SUCCESS);
    toaster_write(&t, (const uint8_t *)"abc", 3);
    ioctl0(&t, RIO_IOCTL_TOASTER_START, 0, &levels);
    CHECK_EQ(ioctl0(&t, RIO_IOCTL_TOASTER_EJECT, 0, &levels).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_READY);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_TOAST_COUNT), 1);
    toaster_write(&t, (const uint8_t *)"de", 2);
    ioctl0(&t, RIO_IOCTL_TOASTER_EJECT, 0, &levels); /* no cycle: loaded -> ready */
    toaster_reply r = toaster_read(&t, 100);
    CHECK_EQ(r.data_length, 5);
    CHECK(memcmp(r.data, "abcde", 5) == 0);
    set_darkness(&t, 9);
    toaster_write(&t, (const uint8_t *)"x", 1);
    toaster_reset(&t);
    CHECK_EQ(toaster_state(&t), RIO_TOASTER_STATE_EMPTY);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_DARKNESS), RIO_TOASTER_DARKNESS_DEFAULT);
    CHECK_EQ(status_field(&t, RIO_TOASTER_STATUS_OFF_TOAST_COUNT), 0);
    toaster_free(&t);
}

static void test_darkness_validation(void)
{
    toaster t;
    toaster_init(&t, 1, 0);
    uint32_t levels;
    uint8_t in[5] = {5, 0, 0, 0, 0};
    CHECK_EQ(set_darkness(&t, 0).status, RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(set_darkness(&t, 11).status, RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(set_darkness(&t, 1).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(set_darkness(&t, 10).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(toaster_ioctl(&t, RIO_IOCTL_TOASTER_SET_DARKNESS, in, 5, 0, scratch, &levels).status,
             RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(toaster_ioctl(&t, RIO_IOCTL_TOASTER_SET_DARKNESS, in, 3, 0, scratch, &levels).status,
             RIO_STATUS_INVALID_PARAMETER);
    toaster_free(&t);
}

static void test_model_faults(void)
{
    toaster t;
    uint32_t levels;
    toaster_init(&t, 1, TOASTER_FAULT_DARKNESS_RANGE | TOASTER_FAULT_IOCTL_SUCCESS | TOASTER_FAULT_READ_DROP |
                            TOASTER_FAULT_WRITE_INFO);
    CHECK_EQ(set_darkness(&t, 0).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(set_darkness(&t, 11).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(set_darkness(&t, 12).status, RIO_STATUS_INVALID_PARAMETER);
    CHECK_EQ(ioctl0(&t, 0x00222014, 0, &levels).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(toaster_write(&t, (const uint8_t *)"abcd", 4).information, 5);
    ioctl0(&t, RIO_IOCTL_TOASTER_EJECT, 0, &levels);
    toaster_reply r = toaster_read(&t, 3);
    CHECK_EQ(r.data_length, 2);
    CHECK(memcmp(r.data, "ab", 2) == 0);
    r = toaster_read(&t, 3);
    CHECK_EQ(r.data_length, 0); /* 'd' was consumed and dropped */
    toaster_free(&t);
}

/* Ready toast is bounded per toaster and across a pool; the WRITE that
 * would cross a bound is refused whole, and what was accepted always moves
 * (EJECT, START) and is accounted for in the pool. */
static void test_pool_bounds(void)
{
    static uint8_t load[RIO_TOASTER_MAX_LOAD_BYTES];
    toaster_pool pool = {.max_ready = 2 * sizeof load, .budget = 3 * sizeof load};
    toaster a, b;
    uint32_t levels;
    toaster_init(&a, 1, 0);
    toaster_init(&b, 2, 0);
    toaster_set_pool(&a, &pool);
    toaster_set_pool(&b, &pool);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(toaster_write(&a, load, sizeof load).information, sizeof load);
        CHECK_EQ(ioctl0(&a, RIO_IOCTL_TOASTER_EJECT, 0, &levels).status, RIO_STATUS_SUCCESS);
    }
    toaster_reply r = toaster_write(&a, load, 1); /* over the toaster's bound */
    CHECK_EQ(r.status, RIO_STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(r.information, 0);
    CHECK_EQ(a.loaded_len, 0);
    CHECK_EQ(toaster_write(&b, load, sizeof load).status, RIO_STATUS_SUCCESS);
    CHECK_EQ(toaster_write(&b, load, sizeof load).information, 0); /* load full: not a refusal */
    CHECK_EQ(ioctl0(&b, RIO_IOCTL_TOASTER_START, 0, &levels).status, RIO_STATUS_SUCCESS);
    toaster_finish_cycle(&b);
    CHECK_EQ(toaster_ready_bytes(&b), sizeof load);
    CHECK_EQ(toaster_write(&b, load, 1).status, RIO_STATUS_INSUFFICIENT_RESOURCES); /* over the pool */
    CHECK(pool.used <= pool.budget);
    CHECK_EQ(toaster_read(&a, 2 * sizeof load).data_length, 2 * sizeof load);
    toaster_reset(&a);
    CHECK_EQ(toaster_write(&b, load, 1).status, RIO_STATUS_SUCCESS); /* room again */
    toaster_free(&a);
    toaster_free(&b);
    CHECK_EQ(pool.used, 0);
}

int main(void)
{
    test_pool_bounds();
    test_fresh_and_info();
    test_write_start_read();
    test_eject_and_reset();
    test_darkness_validation();
    test_model_faults();
    return check_report("test_toasterdev");
}
