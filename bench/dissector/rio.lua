-- rio.lua — a Lua dissector for RIO/1, the benchmark's yardstick for the
-- C plugin (dissector/).  Same fields under the protocol name "riolua",
-- same framing (dissect_tcp_pdus on the 24-byte header), same
-- request/response matching with response time, same Info column.
--
-- Like every part of the project it reads the protocol's numbers and names
-- from include/rio/rio.h (path from $RIO_H, else relative to this file).

local function rio_h_path()
    local env = os.getenv("RIO_H")
    if env then return env end
    local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
    return here .. "../../include/rio/rio.h"
end

-- #define RIO_<NAME> <int> lines and X(RIO_<NAME>, "text") table entries.
local function parse_rio_h(path)
    local defs, tables, current = {}, {}, nil
    local f = assert(io.open(path, "r"), "riolua: cannot open " .. path)
    for line in f:lines() do
        local tname = line:match("^#define%s+RIO_([%w_]+)_TABLE%(X%)")
        if tname then
            current = {}
            tables[tname] = current
        elseif current then
            for sym, text in line:gmatch('X%(RIO_([%w_]+),%s*"([^"]*)"%)') do
                current[defs[sym]] = text
            end
            if not line:match("\\%s*$") then current = nil end
        else
            local name, value = line:match("^#define%s+RIO_([%w_]+)%s+(0[xX]%x+)")
            if not name then name, value = line:match("^#define%s+RIO_([%w_]+)%s+(%d+)") end
            if name then defs[name] = tonumber(value) end
            local sname, svalue = line:match('^#define%s+RIO_([%w_]+)%s+"([^"]*)"')
            if sname then defs[sname] = svalue end
        end
    end
    f:close()
    return defs, tables
end

local D, T = parse_rio_h(rio_h_path())

local p = Proto("riolua", "Remote I/O Protocol (Lua)")
local pf = {
    signature = ProtoField.string("riolua.signature", "Signature"),
    version = ProtoField.uint8("riolua.version", "Version"),
    major = ProtoField.uint8("riolua.major", "Major function", base.HEX, T.MAJOR),
    header_length = ProtoField.uint16("riolua.header_length", "Header length"),
    seq = ProtoField.uint32("riolua.seq", "Sequence"),
    ioctl = ProtoField.uint32("riolua.ioctl", "IoControlCode", base.HEX, T.IOCTL),
    device_type = ProtoField.uint32("riolua.ioctl.device_type", "Device type", base.HEX, nil, D.IOCTL_DEVICE_TYPE_MASK),
    access = ProtoField.uint32("riolua.ioctl.access", "Access", base.DEC, T.ACCESS, D.IOCTL_ACCESS_MASK),
    ["function"] = ProtoField.uint32("riolua.ioctl.function", "Function", base.HEX, nil, D.IOCTL_FUNCTION_MASK),
    method = ProtoField.uint32("riolua.ioctl.method", "Method", base.DEC, T.METHOD, D.IOCTL_METHOD_MASK),
    output_length = ProtoField.uint32("riolua.output_length", "Output length"),
    request_length = ProtoField.uint32("riolua.request_length", "Request data length"),
    status = ProtoField.uint32("riolua.status", "Status", base.HEX, T.STATUS),
    information = ProtoField.uint32("riolua.information", "Information"),
    response_length = ProtoField.uint32("riolua.response_length", "Response data length"),
    data = ProtoField.bytes("riolua.data", "Data"),
    response_in = ProtoField.framenum("riolua.response_in", "Response in", base.NONE, frametype.RESPONSE),
    response_to = ProtoField.framenum("riolua.response_to", "Response to", base.NONE, frametype.REQUEST),
    time = ProtoField.relative_time("riolua.time", "Response time"),
}
local list = {}
for _, f in pairs(pf) do list[#list + 1] = f end
p.fields = list

local ei_error_status = ProtoExpert.new("riolua.error_status", "Error status", expert.group.RESPONSE_CODE, expert.severity.NOTE)
local ei_unmatched = ProtoExpert.new("riolua.unmatched_response", "Response without a matching request", expert.group.SEQUENCE, expert.severity.WARN)
p.experts = { ei_error_status, ei_unmatched }

local f_stream = Field.new("tcp.stream")
local SIG_Q, SIG_P = D.SIGNATURE_REQUEST, D.SIGNATURE_RESPONSE
local HS = D.HEADER_SIZE

-- First-pass state: outstanding requests per TCP stream, and per PDU
-- (frame number, ordinal) the transaction it belongs to.
local outstanding, by_pdu = {}, {}
local cur_frame, ordinal = -1, 0

local function pdu_len(tvb, pinfo, offset)
    local sig = tvb(offset, 4):string()
    if sig ~= SIG_Q and sig ~= SIG_P then return HS end
    local hl = tvb(offset + D.OFF_HEADER_LENGTH, 2):le_uint()
    local len = tvb(offset + D.OFF_DATA_LENGTH, 4):le_uint()
    if hl < D.HEADER_LENGTH_MIN or hl > D.HEADER_LENGTH_MAX or len > D.DATA_MAX then return HS end
    return hl + len
end

local function transaction(pinfo, is_request, seq, major, ioctl)
    local n = pinfo.number
    if n ~= cur_frame then cur_frame, ordinal = n, 0 end
    ordinal = ordinal + 1
    local key = n * 1000 + ordinal
    if pinfo.visited then return by_pdu[key] end
    local stream = f_stream().value
    local q = outstanding[stream] or {}
    outstanding[stream] = q
    local t
    if is_request then
        t = { req = n, time = pinfo.abs_ts, seq = seq, major = major, ioctl = ioctl }
        q[#q + 1] = t
    else
        for i, cand in ipairs(q) do
            if cand.seq == seq then
                t = cand
                for _ = 1, i do table.remove(q, 1) end
                t.rep = n
                break
            end
        end
    end
    by_pdu[key] = t
    return t
end

local function dissect_pdu(tvb, pinfo, tree)
    local sig = tvb(0, 4):string()
    local is_request = sig == SIG_Q
    local major = tvb(D.OFF_MAJOR, 1):uint()
    local seq = tvb(D.OFF_SEQUENCE, 4):le_uint()
    local w12 = tvb(D.OFF_IOCTL, 4):le_uint()
    local len = tvb(D.OFF_DATA_LENGTH, 4):le_uint()
    local hl = tvb(D.OFF_HEADER_LENGTH, 2):le_uint()
    local text
    if is_request then
        text = "Request " .. (T.MAJOR[major] or "UNKNOWN_MAJOR")
        if major == D.MJ_DEVICE_CONTROL then text = text .. " " .. (T.IOCTL[w12] or string.format("IOCTL_0x%08x", w12)) end
        text = text .. " seq=" .. seq
    else
        text = "Response seq=" .. seq .. " " .. (T.STATUS[w12] or string.format("0x%08x", w12)) .. " " .. len .. " bytes"
    end
    -- Every PDU of the frame in the Info column, fenced like the C plugin's.
    if tostring(pinfo.cols.info) ~= "" then
        pinfo.cols.info:append(", " .. text)
    else
        pinfo.cols.info:append(text)
    end
    pinfo.cols.info:fence()
    local t = tree:add(p, tvb(), "Remote I/O Protocol (Lua), " .. text)
    t:add(pf.signature, tvb(0, 4))
    t:add(pf.version, tvb(D.OFF_VERSION, 1))
    t:add(pf.major, tvb(D.OFF_MAJOR, 1))
    t:add_le(pf.header_length, tvb(D.OFF_HEADER_LENGTH, 2))
    t:add_le(pf.seq, tvb(D.OFF_SEQUENCE, 4))
    if is_request then
        local it = t:add_le(pf.ioctl, tvb(D.OFF_IOCTL, 4))
        it:add_le(pf.device_type, tvb(D.OFF_IOCTL, 4))
        it:add_le(pf.access, tvb(D.OFF_IOCTL, 4))
        it:add_le(pf["function"], tvb(D.OFF_IOCTL, 4))
        it:add_le(pf.method, tvb(D.OFF_IOCTL, 4))
        t:add_le(pf.output_length, tvb(D.OFF_OUTPUT_LENGTH, 4))
        t:add_le(pf.request_length, tvb(D.OFF_DATA_LENGTH, 4))
    else
        local st = t:add_le(pf.status, tvb(D.OFF_STATUS, 4))
        -- warning and error severities (top bits), as the C plugin flags them
        if w12 >= D.STATUS_BUFFER_OVERFLOW then st:add_proto_expert_info(ei_error_status) end
        t:add_le(pf.information, tvb(D.OFF_INFORMATION, 4))
        t:add_le(pf.response_length, tvb(D.OFF_DATA_LENGTH, 4))
    end
    local tr = transaction(pinfo, is_request, seq, major, w12)
    if tr and is_request and tr.rep then
        t:add(pf.response_in, tvb(0, 0), tr.rep):set_generated()
    elseif tr and not is_request then
        t:add(pf.response_to, tvb(0, 0), tr.req):set_generated()
        local d = pinfo.abs_ts - tr.time
        local secs = math.floor(d)
        t:add(pf.time, tvb(0, 0), NSTime.new(secs, math.floor((d - secs) * 1e9 + 0.5))):set_generated()
    elseif not is_request then
        t:add_proto_expert_info(ei_unmatched)
    end
    if len > 0 and hl + len <= tvb:len() then t:add(pf.data, tvb(hl, len)) end
    return tvb:len()
end

function p.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol = "RIOLUA"
    pinfo.cols.info:clear()
    dissect_tcp_pdus(tvb, tree, HS, pdu_len, dissect_pdu, true)
    return tvb:len()
end

function p.init()
    outstanding, by_pdu = {}, {}
    cur_frame, ordinal = -1, 0
end

DissectorTable.get("tcp.port"):add(D.BASE_PORT .. "-" .. D.PORT_RANGE_LAST, p)
