"""Write small, valid DEX files (format version 035) from a plain description, for tests and benchmarks.

The writer follows the DEX format specification: a 0x70-byte header, sorted ``string_ids``/``type_ids``/
``proto_ids``/``field_ids``/``method_ids``, ``class_defs`` ordered so that a superclass or interface defined in
the same file comes first, a data section of 4-byte aligned ``code_item`` and ``type_list`` entries, MUTF-8
``string_data``, uleb128 ``class_data`` and a ``map_list``; the SHA-1 signature and the adler32 checksum are
computed last. ``dexdump`` and androguard parse the output.

Example::

    code = Code().const_string(0, "com.other.app").invoke_virtual(
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", [1]
    ).return_void()
    cls = DexClass("com.umeng.commonsdk.DeviceConfig")
    cls.add_method("getImei", "(Landroid/telephony/TelephonyManager;)V", code=code)
    data = write_dex([cls])
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

NO_INDEX = 0xFFFFFFFF

ACC_PUBLIC = 0x1
ACC_PRIVATE = 0x2
ACC_PROTECTED = 0x4
ACC_STATIC = 0x8
ACC_FINAL = 0x10
ACC_SYNCHRONIZED = 0x20
ACC_NATIVE = 0x100
ACC_INTERFACE = 0x200
ACC_ABSTRACT = 0x400
ACC_SYNTHETIC = 0x1000
ACC_CONSTRUCTOR = 0x10000

_PRIMITIVES = {
    "void": "V",
    "boolean": "Z",
    "byte": "B",
    "short": "S",
    "char": "C",
    "int": "I",
    "long": "J",
    "float": "F",
    "double": "D",
}
_METHOD_REF = re.compile(r"(L[^;]+;|\[[^-]+)->([^(]+)\(([^)]*)\)(.+)")
_FIELD_REF = re.compile(r"(L[^;]+;)->([^:]+):(.+)")
_TYPE_IN_LIST = re.compile(r"\[*(?:[ZBSCIJFD]|L[^;]+;)")


@functools.lru_cache(maxsize=1 << 16)
def descriptor(name: str) -> str:
    """A type descriptor from a dotted name, a Java primitive or array name, or a descriptor (unchanged)."""
    name = name.strip()
    dims = 0
    while name.endswith("[]"):
        dims += 1
        name = name[:-2]
    if name in _PRIMITIVES:
        base = _PRIMITIVES[name]
    elif (name.startswith("L") and name.endswith(";")) or name.startswith("[") or name in "VZBSCIJFD":
        base = name
    else:
        base = "L" + name.replace(".", "/") + ";"
    return "[" * dims + base


def dotted(desc: str) -> str:
    """``Lcom/a/B;`` → ``com.a.B`` (other descriptors unchanged)."""
    if desc.startswith("L") and desc.endswith(";"):
        return desc[1:-1].replace("/", ".")
    return desc


def _split_params(params: str) -> tuple[str, ...]:
    out: list[str] = []
    pos = 0
    while pos < len(params):
        m = _TYPE_IN_LIST.match(params, pos)
        if m is None:
            raise ValueError(f"bad parameter list {params!r}")
        out.append(m.group(0))
        pos = m.end()
    return tuple(out)


def _word_count(desc: str) -> int:
    return 2 if desc in ("J", "D") else 1


def _shorty_char(desc: str) -> str:
    return "L" if desc[0] in "L[" else desc


@dataclass(frozen=True, order=True)
class Proto:
    ret: str
    params: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Proto:
        """``(ILjava/lang/String;)V`` → Proto."""
        m = re.fullmatch(r"\(([^)]*)\)(.+)", text.strip())
        if m is None:
            raise ValueError(f"bad method prototype {text!r}")
        return cls(m.group(2), _split_params(m.group(1)))

    @property
    def shorty(self) -> str:
        return _shorty_char(self.ret) + "".join(_shorty_char(p) for p in self.params)

    @property
    def arg_words(self) -> int:
        return sum(_word_count(p) for p in self.params)

    def __str__(self) -> str:
        return "(" + "".join(self.params) + ")" + self.ret


@dataclass(frozen=True)
class MethodRef:
    cls: str  # descriptor
    name: str
    proto: Proto

    @classmethod
    def parse(cls, text: str | MethodRef) -> MethodRef:
        """``Lcom/a/B;->name(I)V`` → MethodRef."""
        if isinstance(text, MethodRef):
            return text
        return _parse_method_ref(text.strip())

    @property
    def dotted_api(self) -> str:
        """``android.telephony.TelephonyManager.getDeviceId`` (the form used by the knowledge catalogues)."""
        return dotted(self.cls) + "." + self.name

    def __str__(self) -> str:
        return f"{self.cls}->{self.name}{self.proto}"


@functools.lru_cache(maxsize=1 << 14)
def _parse_method_ref(text: str) -> MethodRef:
    m = _METHOD_REF.fullmatch(text)
    if m is None:
        raise ValueError(f"bad method reference {text!r}")
    return MethodRef(m.group(1), m.group(2), Proto(m.group(4), _split_params(m.group(3))))


@dataclass(frozen=True)
class FieldRef:
    cls: str
    name: str
    type: str

    @classmethod
    def parse(cls, text: str | FieldRef) -> FieldRef:
        if isinstance(text, FieldRef):
            return text
        m = _FIELD_REF.fullmatch(text.strip())
        if m is None:
            raise ValueError(f"bad field reference {text!r}")
        return cls(m.group(1), m.group(2), m.group(3))


# --------------------------------------------------------------------------------------------------------
# code


@dataclass(frozen=True)
class _Insn:
    kind: str  # raw|string|type|field|ifield|invoke
    op: int
    regs: tuple[int, ...] = ()
    ref: object = None
    units: tuple[int, ...] = ()


_INVOKE_OPS = {"virtual": 0x6E, "super": 0x6F, "direct": 0x70, "static": 0x71, "interface": 0x72}


class Code:
    """A method body built from a tiny instruction API. Registers are numbered from v0 (locals first);
    the method's parameters occupy the last ``ins`` registers, as in Dalvik."""

    def __init__(self) -> None:
        self.insns: list[_Insn] = []

    def _reg(self, r: int, bits: int) -> int:
        if not 0 <= r < (1 << bits):
            raise ValueError(f"register v{r} does not fit in {bits} bits")
        return r

    def raw(self, *units: int) -> Code:
        self.insns.append(_Insn("raw", 0, units=tuple(u & 0xFFFF for u in units)))
        return self

    def nop(self) -> Code:
        return self.raw(0x0000)

    def return_void(self) -> Code:
        return self.raw(0x000E)

    def return_value(self, reg: int) -> Code:
        return self.raw(0x0F | self._reg(reg, 8) << 8)

    def return_object(self, reg: int) -> Code:
        return self.raw(0x11 | self._reg(reg, 8) << 8)

    def const4(self, reg: int, value: int) -> Code:
        if not -8 <= value <= 7:
            raise ValueError("const/4 takes -8..7")
        return self.raw(0x12 | self._reg(reg, 4) << 8 | (value & 0xF) << 12)

    def const16(self, reg: int, value: int) -> Code:
        if not -0x8000 <= value <= 0x7FFF:
            raise ValueError("const/16 takes a signed 16-bit value")
        return self.raw(0x13 | self._reg(reg, 8) << 8, value & 0xFFFF)

    def move_result(self, reg: int) -> Code:
        return self.raw(0x0A | self._reg(reg, 8) << 8)

    def move_result_object(self, reg: int) -> Code:
        return self.raw(0x0C | self._reg(reg, 8) << 8)

    def const_string(self, reg: int, value: str) -> Code:
        self.insns.append(_Insn("string", 0x1A, (self._reg(reg, 8),), value))
        return self

    def new_instance(self, reg: int, type_name: str) -> Code:
        self.insns.append(_Insn("type", 0x22, (self._reg(reg, 8),), descriptor(type_name)))
        return self

    def const_class(self, reg: int, type_name: str) -> Code:
        self.insns.append(_Insn("type", 0x1C, (self._reg(reg, 8),), descriptor(type_name)))
        return self

    def check_cast(self, reg: int, type_name: str) -> Code:
        self.insns.append(_Insn("type", 0x1F, (self._reg(reg, 8),), descriptor(type_name)))
        return self

    def sget_object(self, reg: int, field_ref: str | FieldRef) -> Code:
        self.insns.append(_Insn("field", 0x62, (self._reg(reg, 8),), FieldRef.parse(field_ref)))
        return self

    def sput_object(self, reg: int, field_ref: str | FieldRef) -> Code:
        self.insns.append(_Insn("field", 0x69, (self._reg(reg, 8),), FieldRef.parse(field_ref)))
        return self

    def iget_object(self, reg: int, obj: int, field_ref: str | FieldRef) -> Code:
        regs = (self._reg(reg, 4), self._reg(obj, 4))
        self.insns.append(_Insn("ifield", 0x54, regs, FieldRef.parse(field_ref)))
        return self

    def iput_object(self, reg: int, obj: int, field_ref: str | FieldRef) -> Code:
        regs = (self._reg(reg, 4), self._reg(obj, 4))
        self.insns.append(_Insn("ifield", 0x5B, regs, FieldRef.parse(field_ref)))
        return self

    def invoke(self, kind: str, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        """``invoke-<kind>`` (virtual|super|direct|static|interface); uses the /range form when needed."""
        ref = MethodRef.parse(method_ref)
        expected = ref.proto.arg_words + (0 if kind == "static" else 1)
        if len(regs) != expected:
            raise ValueError(f"{ref} takes {expected} argument registers, got {len(regs)}")
        for r in regs:
            self._reg(r, 16)
        self.insns.append(_Insn("invoke", _INVOKE_OPS[kind], tuple(regs), ref))
        return self

    def invoke_virtual(self, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        return self.invoke("virtual", method_ref, regs)

    def invoke_super(self, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        return self.invoke("super", method_ref, regs)

    def invoke_direct(self, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        return self.invoke("direct", method_ref, regs)

    def invoke_static(self, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        return self.invoke("static", method_ref, regs)

    def invoke_interface(self, method_ref: str | MethodRef, regs: Sequence[int]) -> Code:
        return self.invoke("interface", method_ref, regs)

    # inspection ------------------------------------------------------------------------------------
    def max_register(self) -> int:
        """The highest register named by any instruction, or -1."""
        top = -1
        for insn in self.insns:
            if insn.regs:
                top = max(top, *insn.regs)
            elif insn.kind == "raw" and insn.units:
                op = insn.units[0] & 0xFF
                if op in (0x0F, 0x11, 0x0A, 0x0C, 0x13):
                    top = max(top, insn.units[0] >> 8)
                elif op in (0x10, 0x16):  # wide: a register pair
                    top = max(top, (insn.units[0] >> 8) + 1)
                elif op == 0x12:
                    top = max(top, (insn.units[0] >> 8) & 0xF)
        return top

    def outs(self) -> int:
        return max((len(i.regs) for i in self.insns if i.kind == "invoke"), default=0)

    def method_refs(self) -> list[MethodRef]:
        return [i.ref for i in self.insns if i.kind == "invoke" and isinstance(i.ref, MethodRef)]

    def strings(self) -> list[str]:
        return [i.ref for i in self.insns if i.kind == "string" and isinstance(i.ref, str)]


# --------------------------------------------------------------------------------------------------------
# classes


@dataclass
class DexField:
    name: str
    type: str  # descriptor or dotted/Java name
    access: int = ACC_PRIVATE

    @property
    def is_static(self) -> bool:
        return bool(self.access & ACC_STATIC)


@dataclass
class DexMethod:
    name: str
    proto: Proto
    access: int = ACC_PUBLIC
    code: Code | None = None
    registers: int | None = None  # registers_size; None = locals used + ins

    @property
    def is_direct(self) -> bool:
        return bool(self.access & (ACC_STATIC | ACC_PRIVATE | ACC_CONSTRUCTOR)) or self.name.startswith("<")

    @property
    def has_code(self) -> bool:
        return not self.access & (ACC_ABSTRACT | ACC_NATIVE)


@dataclass
class DexClass:
    name: str  # dotted or descriptor
    superclass: str | None = "java.lang.Object"
    access: int = ACC_PUBLIC
    interfaces: list[str] = field(default_factory=list)
    fields: list[DexField] = field(default_factory=list)
    methods: list[DexMethod] = field(default_factory=list)
    source_file: str | None = None

    @property
    def descriptor(self) -> str:
        return descriptor(self.name)

    def add_method(
        self,
        name: str,
        proto: str | Proto = "()V",
        *,
        access: int = ACC_PUBLIC,
        code: Code | None = None,
        registers: int | None = None,
    ) -> DexMethod:
        p = proto if isinstance(proto, Proto) else Proto.parse(proto)
        if name == "<init>":
            access |= ACC_CONSTRUCTOR
        if name == "<clinit>":
            access |= ACC_CONSTRUCTOR | ACC_STATIC
        m = DexMethod(name, p, access, code, registers)
        self.methods.append(m)
        return m

    def add_constructor(self) -> DexMethod:
        """A public no-argument constructor that calls the superclass constructor."""
        sup = descriptor(self.superclass or "java.lang.Object")
        code = Code().invoke_direct(f"{sup}-><init>()V", [0]).return_void()
        return self.add_method("<init>", "()V", access=ACC_PUBLIC, code=code, registers=1)

    def add_field(self, name: str, type_name: str, access: int = ACC_PRIVATE) -> DexField:
        f = DexField(name, type_name, access)
        self.fields.append(f)
        return f


def call_sites_of(classes: Iterable[DexClass]) -> list[tuple[str, str, str]]:
    """(dotted caller class, caller method, dotted API) for every invoke in the description: ground truth."""
    out: list[tuple[str, str, str]] = []
    for c in classes:
        for m in c.methods:
            if m.code is None:
                continue
            for ref in m.code.method_refs():
                out.append((dotted(c.descriptor), m.name, ref.dotted_api))
    return out


# --------------------------------------------------------------------------------------------------------
# encoding helpers


def uleb128(value: int) -> bytes:
    if value < 0:
        raise ValueError("uleb128 of a negative number")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def mutf8(s: str) -> tuple[int, bytes]:
    """(UTF-16 length, MUTF-8 bytes without the terminating NUL) of a string."""
    raw = s.encode("utf-16-be", "surrogatepass")
    units = struct.unpack(f">{len(raw) // 2}H", raw)
    out = bytearray()
    for u in units:
        if u != 0 and u < 0x80:
            out.append(u)
        elif u < 0x800:
            out += bytes((0xC0 | (u >> 6), 0x80 | (u & 0x3F)))
        else:
            out += bytes((0xE0 | (u >> 12), 0x80 | ((u >> 6) & 0x3F), 0x80 | (u & 0x3F)))
    return len(units), bytes(out)


def _utf16_key(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _align(buf: bytearray, n: int = 4) -> None:
    while len(buf) % n:
        buf.append(0)


def _order_classes(classes: Sequence[DexClass]) -> list[DexClass]:
    """Superclasses and interfaces defined in the file come before their subclasses (the spec requires it)."""
    by_desc = {c.descriptor: c for c in classes}
    if len(by_desc) != len(classes):
        raise ValueError("a class is defined twice")
    done: set[str] = set()
    out: list[DexClass] = []

    def visit(c: DexClass, stack: set[str]) -> None:
        if c.descriptor in done:
            return
        if c.descriptor in stack:
            raise ValueError(f"class hierarchy cycle at {c.name}")
        stack.add(c.descriptor)
        parents = [descriptor(c.superclass)] if c.superclass else []
        parents += [descriptor(i) for i in c.interfaces]
        for p in parents:
            if p in by_desc:
                visit(by_desc[p], stack)
        stack.discard(c.descriptor)
        done.add(c.descriptor)
        out.append(c)

    for c in sorted(classes, key=lambda c: c.descriptor):
        visit(c, set())
    return out


_MAP_TYPES = {
    "header": 0x0000,
    "string_id": 0x0001,
    "type_id": 0x0002,
    "proto_id": 0x0003,
    "field_id": 0x0004,
    "method_id": 0x0005,
    "class_def": 0x0006,
    "map_list": 0x1000,
    "type_list": 0x1001,
    "class_data": 0x2000,
    "code": 0x2001,
    "string_data": 0x2002,
}


def write_dex(classes: Sequence[DexClass]) -> bytes:
    """Serialise the classes to DEX 035 bytes."""
    ordered = _order_classes(classes)

    # 1. collect every referenced item ---------------------------------------------------------------
    strings: set[str] = set()
    types: set[str] = set()
    protos: set[Proto] = set()
    fields: set[FieldRef] = set()
    methods: set[MethodRef] = set()

    def add_proto(p: Proto) -> None:
        protos.add(p)
        strings.add(p.shorty)
        types.add(p.ret)
        types.update(p.params)

    def add_method(m: MethodRef) -> None:
        methods.add(m)
        types.add(m.cls)
        strings.add(m.name)
        add_proto(m.proto)

    def add_field(f: FieldRef) -> None:
        fields.add(f)
        types.update((f.cls, f.type))
        strings.add(f.name)

    for c in ordered:
        types.add(c.descriptor)
        if c.superclass:
            types.add(descriptor(c.superclass))
        types.update(descriptor(i) for i in c.interfaces)
        if c.source_file:
            strings.add(c.source_file)
        for f in c.fields:
            add_field(FieldRef(c.descriptor, f.name, descriptor(f.type)))
        for m in c.methods:
            add_method(MethodRef(c.descriptor, m.name, m.proto))
            if m.code is not None:
                for insn in m.code.insns:
                    if insn.kind == "string":
                        strings.add(str(insn.ref))
                    elif insn.kind == "type":
                        types.add(str(insn.ref))
                    elif insn.kind in ("field", "ifield") and isinstance(insn.ref, FieldRef):
                        add_field(insn.ref)
                    elif insn.kind == "invoke" and isinstance(insn.ref, MethodRef):
                        add_method(insn.ref)
    strings.update(types)

    # 2. sort and index ----------------------------------------------------------------------------------
    string_list = sorted(strings, key=_utf16_key)
    sidx = {s: i for i, s in enumerate(string_list)}
    type_list = sorted(types, key=lambda t: sidx[t])
    tidx = {t: i for i, t in enumerate(type_list)}
    proto_list = sorted(protos, key=lambda p: (tidx[p.ret], tuple(tidx[x] for x in p.params)))
    pidx = {p: i for i, p in enumerate(proto_list)}
    field_list = sorted(fields, key=lambda f: (tidx[f.cls], sidx[f.name], tidx[f.type]))
    fidx = {f: i for i, f in enumerate(field_list)}
    method_list = sorted(methods, key=lambda m: (tidx[m.cls], sidx[m.name], pidx[m.proto]))
    midx = {m: i for i, m in enumerate(method_list)}
    if len(type_list) > 0xFFFF or len(method_list) > 0xFFFF or len(field_list) > 0xFFFF:
        raise ValueError("more than 65535 types, methods or fields: split into several DEX files")

    # 3. lay out the fixed-size sections -------------------------------------------------------------
    off = 0x70
    string_ids_off = off
    off += 4 * len(string_list)
    type_ids_off = off
    off += 4 * len(type_list)
    proto_ids_off = off
    off += 12 * len(proto_list)
    field_ids_off = off
    off += 8 * len(field_list)
    method_ids_off = off
    off += 8 * len(method_list)
    class_defs_off = off
    off += 32 * len(ordered)
    data_off = off

    data = bytearray()  # the data section, starting at data_off
    map_items: list[tuple[int, int, int]] = []  # (type, count, offset)

    # code items ---------------------------------------------------------------------------------------
    code_offs: dict[tuple[str, int], int] = {}
    n_code = 0
    first_code = -1
    for c in ordered:
        for mi, m in enumerate(c.methods):
            if not m.has_code:
                continue
            code = m.code
            if code is None:
                code = _default_body(m.proto)
            _align(data)
            if first_code < 0:
                first_code = len(data)
            code_offs[(c.descriptor, mi)] = data_off + len(data)
            data += _code_item(m, code, sidx, tidx, fidx, midx)
            n_code += 1
    if n_code:
        map_items.append((_MAP_TYPES["code"], n_code, data_off + first_code))

    # type lists ---------------------------------------------------------------------------------------
    lists: set[tuple[int, ...]] = set()
    for p in proto_list:
        if p.params:
            lists.add(tuple(tidx[x] for x in p.params))
    for c in ordered:
        if c.interfaces:
            lists.add(tuple(tidx[descriptor(i)] for i in c.interfaces))
    list_offs: dict[tuple[int, ...], int] = {}
    _align(data)
    first_list = len(data)
    for tl in sorted(lists):
        _align(data)
        list_offs[tl] = data_off + len(data)
        data += struct.pack(f"<I{len(tl)}H", len(tl), *tl)
    if lists:
        map_items.append((_MAP_TYPES["type_list"], len(lists), data_off + first_list))

    # string data ----------------------------------------------------------------------------------
    string_data_offs: list[int] = []
    first_string = len(data)
    for s in string_list:
        string_data_offs.append(data_off + len(data))
        n, enc = mutf8(s)
        data += uleb128(n) + enc + b"\x00"
    if string_list:
        map_items.append((_MAP_TYPES["string_data"], len(string_list), data_off + first_string))

    # class data ----------------------------------------------------------------------------------------
    class_data_offs: dict[str, int] = {}
    first_class_data = len(data)
    n_class_data = 0
    for c in ordered:
        if not c.fields and not c.methods:
            continue
        class_data_offs[c.descriptor] = data_off + len(data)
        data += _class_data(c, fidx, midx, code_offs)
        n_class_data += 1
    if n_class_data:
        map_items.append((_MAP_TYPES["class_data"], n_class_data, data_off + first_class_data))

    # map list ----------------------------------------------------------------------------------------
    _align(data)
    map_off = data_off + len(data)
    head_items = [
        (_MAP_TYPES["header"], 1, 0),
        (_MAP_TYPES["string_id"], len(string_list), string_ids_off),
        (_MAP_TYPES["type_id"], len(type_list), type_ids_off),
        (_MAP_TYPES["proto_id"], len(proto_list), proto_ids_off),
        (_MAP_TYPES["field_id"], len(field_list), field_ids_off),
        (_MAP_TYPES["method_id"], len(method_list), method_ids_off),
        (_MAP_TYPES["class_def"], len(ordered), class_defs_off),
    ]
    all_items = [i for i in head_items if i[1]] + map_items + [(_MAP_TYPES["map_list"], 1, map_off)]
    all_items.sort(key=lambda i: i[2])
    data += struct.pack("<I", len(all_items))
    for t, n, o in all_items:
        data += struct.pack("<HHII", t, 0, n, o)

    # 4. id sections ----------------------------------------------------------------------------------
    ids = bytearray()
    ids += struct.pack(f"<{len(string_data_offs)}I", *string_data_offs)
    ids += struct.pack(f"<{len(type_list)}I", *(sidx[t] for t in type_list))
    for p in proto_list:
        params_off = list_offs[tuple(tidx[x] for x in p.params)] if p.params else 0
        ids += struct.pack("<III", sidx[p.shorty], tidx[p.ret], params_off)
    for fr in field_list:
        ids += struct.pack("<HHI", tidx[fr.cls], tidx[fr.type], sidx[fr.name])
    for mr in method_list:
        ids += struct.pack("<HHI", tidx[mr.cls], pidx[mr.proto], sidx[mr.name])
    for c in ordered:
        ifaces = tuple(tidx[descriptor(i)] for i in c.interfaces)
        ids += struct.pack(
            "<8I",
            tidx[c.descriptor],
            c.access,
            tidx[descriptor(c.superclass)] if c.superclass else NO_INDEX,
            list_offs[ifaces] if ifaces else 0,
            sidx[c.source_file] if c.source_file else NO_INDEX,
            0,
            class_data_offs.get(c.descriptor, 0),
            0,
        )
    assert 0x70 + len(ids) == data_off

    file_size = data_off + len(data)

    def sec(n: int, o: int) -> tuple[int, int]:
        return (n, o if n else 0)

    header = bytearray(b"dex\n035\x00")
    header += b"\x00" * 24  # checksum + signature, filled below
    header += struct.pack("<III", file_size, 0x70, 0x12345678)
    header += struct.pack("<III", 0, 0, map_off)
    header += struct.pack("<2I", *sec(len(string_list), string_ids_off))
    header += struct.pack("<2I", *sec(len(type_list), type_ids_off))
    header += struct.pack("<2I", *sec(len(proto_list), proto_ids_off))
    header += struct.pack("<2I", *sec(len(field_list), field_ids_off))
    header += struct.pack("<2I", *sec(len(method_list), method_ids_off))
    header += struct.pack("<2I", *sec(len(ordered), class_defs_off))
    header += struct.pack("<II", len(data), data_off)
    assert len(header) == 0x70
    out = bytearray(header + ids + data)
    out[12:32] = hashlib.sha1(out[32:]).digest()
    out[8:12] = struct.pack("<I", zlib.adler32(bytes(out[12:])) & 0xFFFFFFFF)
    return bytes(out)


def _default_body(proto: Proto) -> Code:
    """``return-void``, or return zero/null of the return type."""
    code = Code()
    if proto.ret == "V":
        return code.return_void()
    if proto.ret in ("J", "D"):
        return code.raw(0x16, 0x0000).raw(0x10)  # const-wide/16 v0, #0; return-wide v0
    code.const4(0, 0)
    return code.return_object(0) if proto.ret[0] in "L[" else code.return_value(0)


def _code_item(
    m: DexMethod,
    code: Code,
    sidx: dict[str, int],
    tidx: dict[str, int],
    fidx: dict[FieldRef, int],
    midx: dict[MethodRef, int],
) -> bytes:
    ins = m.proto.arg_words + (0 if m.access & ACC_STATIC else 1)
    top = code.max_register()
    regs = m.registers if m.registers is not None else (top + 1) + ins
    if regs < ins or regs <= top:
        raise ValueError(f"method {m.name}: {regs} registers cannot hold v{top} and {ins} ins")
    units: list[int] = []
    for insn in code.insns:
        units += _encode(insn, sidx, tidx, fidx, midx)
    head = struct.pack("<HHHHII", regs, ins, code.outs(), 0, 0, len(units))
    return head + struct.pack(f"<{len(units)}H", *units)


def _encode(
    insn: _Insn,
    sidx: dict[str, int],
    tidx: dict[str, int],
    fidx: dict[FieldRef, int],
    midx: dict[MethodRef, int],
) -> list[int]:
    if insn.kind == "raw":
        return list(insn.units)
    if insn.kind == "string":
        idx = sidx[str(insn.ref)]
        if idx > 0xFFFF:  # const-string/jumbo
            return [0x1B | insn.regs[0] << 8, idx & 0xFFFF, idx >> 16]
        return [insn.op | insn.regs[0] << 8, idx]
    if insn.kind == "type":
        return [insn.op | insn.regs[0] << 8, tidx[str(insn.ref)]]
    if insn.kind == "field":
        assert isinstance(insn.ref, FieldRef)
        return [insn.op | insn.regs[0] << 8, fidx[insn.ref]]
    if insn.kind == "ifield":
        assert isinstance(insn.ref, FieldRef)
        return [insn.op | insn.regs[0] << 8 | insn.regs[1] << 12, fidx[insn.ref]]
    assert insn.kind == "invoke" and isinstance(insn.ref, MethodRef)
    idx = midx[insn.ref]
    regs = list(insn.regs)
    if len(regs) <= 5 and all(r < 16 for r in regs):
        padded = [*regs, 0, 0, 0, 0, 0][:5]
        c, d, e, f, g = padded
        return [insn.op | g << 8 | len(regs) << 12, idx, c | d << 4 | e << 8 | f << 12]
    if regs != list(range(regs[0], regs[0] + len(regs))) or len(regs) > 255:
        raise ValueError("invoke with more than 5 or high registers needs consecutive registers (/range)")
    return [(insn.op + 6) | len(regs) << 8, idx, regs[0]]


def _class_data(
    c: DexClass,
    fidx: dict[FieldRef, int],
    midx: dict[MethodRef, int],
    code_offs: dict[tuple[str, int], int],
) -> bytes:
    def frefs(static: bool) -> list[tuple[int, int]]:
        return sorted(
            (fidx[FieldRef(c.descriptor, f.name, descriptor(f.type))], f.access)
            for f in c.fields
            if f.is_static == static
        )

    def mrefs(direct: bool) -> list[tuple[int, int, int]]:
        return sorted(
            (midx[MethodRef(c.descriptor, m.name, m.proto)], m.access, code_offs.get((c.descriptor, i), 0))
            for i, m in enumerate(c.methods)
            if m.is_direct == direct
        )

    sf, inf, dm, vm = frefs(True), frefs(False), mrefs(True), mrefs(False)
    out = bytearray(uleb128(len(sf)) + uleb128(len(inf)) + uleb128(len(dm)) + uleb128(len(vm)))
    for group in (sf, inf):
        prev = 0
        for idx, acc in group:
            out += uleb128(idx - prev) + uleb128(acc)
            prev = idx
    for mgroup in (dm, vm):
        prev = 0
        for idx, acc, code_off in mgroup:
            out += uleb128(idx - prev) + uleb128(acc) + uleb128(code_off)
            prev = idx
    return bytes(out)


# --------------------------------------------------------------------------------------------------------
# benchmark input

DEFAULT_BIG_DEX_APIS = (
    "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
    "Landroid/telephony/TelephonyManager;->getSubscriberId()Ljava/lang/String;",
    "Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;",
    "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
    "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
)


def big_dex_classes(
    n_classes: int,
    *,
    sensitive_every: int = 50,
    apis: Sequence[str] = DEFAULT_BIG_DEX_APIS,
    app_package: str = "com.bench.app",
    sdk_package: str = "com.umeng.commonsdk.bench",
    sdk_share: float = 0.1,
) -> list[DexClass]:
    """The description of a large DEX: ``n_classes`` classes, one in every ``sensitive_every`` calling a
    sensitive API (rotating through ``apis``); the first ``sdk_share`` of classes live under ``sdk_package``."""
    refs = [MethodRef.parse(a) for a in apis]
    n_sdk = int(n_classes * sdk_share)
    classes: list[DexClass] = []
    for i in range(n_classes):
        pkg = sdk_package if i < n_sdk else app_package
        cls = DexClass(f"{pkg}.p{i // 500}.C{i}")
        cls.add_constructor()
        code = Code().const_string(0, f"tag{i % 97}")
        if sensitive_every and i % sensitive_every == 0:
            code.const4(1, 0)
        if sensitive_every and i % sensitive_every == 0:
            ref = refs[(i // sensitive_every) % len(refs)]
            regs = list(range(1, 2 + ref.proto.arg_words))
            if ref.proto.params:
                code.const4(2, 0) if ref.proto.params[0] == "I" else code.const_string(2, "gps")
            code.invoke_virtual(ref, regs)
        code.return_void()
        cls.add_method("run", "()V", code=code, registers=6)
        classes.append(cls)
    return classes


def big_dex(
    n_classes: int,
    *,
    sensitive_every: int = 50,
    apis: Sequence[str] = DEFAULT_BIG_DEX_APIS,
    app_package: str = "com.bench.app",
    sdk_package: str = "com.umeng.commonsdk.bench",
    sdk_share: float = 0.1,
) -> bytes:
    """A large valid DEX for benchmarks; see ``big_dex_classes`` for the options."""
    return write_dex(
        big_dex_classes(
            n_classes,
            sensitive_every=sensitive_every,
            apis=apis,
            app_package=app_package,
            sdk_package=sdk_package,
            sdk_share=sdk_share,
        )
    )


def dex_with_calls(
    calls: Iterable[tuple[str, str, str]] = (),
    strings: Iterable[tuple[str, str, str]] = (),
    *,
    superclasses: dict[str, str] | None = None,
) -> bytes:
    """A DEX holding exactly the given call sites and string loads, for rule fixtures.

    ``calls``: (caller class, caller method, method reference such as
    ``Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;``), each made as ``invoke-virtual``
    on a null receiver (scanners look at the reference, not the receiver). ``strings``: (caller class, caller
    method, const-string value). ``superclasses`` maps a caller class to its superclass (default
    ``java.lang.Object``); classes named only there are defined too."""
    bodies: dict[tuple[str, str], Code] = {}
    for cls, meth, ref in calls:
        m = MethodRef.parse(ref)
        code = bodies.setdefault((cls, meth), Code())
        regs = list(range(1, 2 + m.proto.arg_words))
        code.const4(1, 0).invoke_virtual(m, regs)
    for cls, meth, value in strings:
        bodies.setdefault((cls, meth), Code()).const_string(0, value)
    classes: dict[str, DexClass] = {}
    for (cls, meth), code in bodies.items():
        c = classes.get(cls)
        if c is None:
            c = classes[cls] = DexClass(cls, superclass=(superclasses or {}).get(cls, "java.lang.Object"))
            c.add_constructor()
        c.add_method(meth, "()V", code=code.return_void(), registers=None)
    for cls, sup in (superclasses or {}).items():
        if cls not in classes:
            c = classes[cls] = DexClass(cls, superclass=sup)
            c.add_constructor()
    return write_dex(list(classes.values()))
