#!/usr/bin/env python3
"""Cycles per source line of one CKB-VM process, priced with ckb-vm's estimate_cycles
(cost_model.rs) and mapped to source lines with DWARF (inlining included).

Input: pc histograms "<pc hex> <a7 hex> <count>", one entry per executed instruction, made
from ckb-debugger's --enable-steplog by profile.sh (a7 is the syscall number at an ecall).

usage: cycles_by_line.py BINARY FULL.pcs [BASE.pcs CALLS] [--top N]
  with BASE and CALLS: (FULL - BASE) / CALLS, i.e. cycles per call.

Prints, per call:
  - the innermost source lines (where the instruction's code was written, e.g. in core),
  - the same cycles attributed to the innermost line of the project (ckb-ipc, contracts,
    test-proto) in the inline chain: the project line that caused them,
  - syscalls (ecall, 500 each, by number) and functions (symbols, after inlining).

Adapted from tests/profile/cycles_by_line.py: it counted pcs of the raw step log; this prices
macro-op-fused far jumps (auipc/lui ra + jalr ra,ra: FAR_JUMP_*, 3 cycles; the jalr is not
stepped) as the VM does, so the total equals ckb-debugger's count for the VM.
"""
import bisect, collections, glob, os, re, subprocess, sys
import os as _os
SRC_ROOT = _os.environ.get("SRC_ROOT") or _os.path.abspath(_os.path.join(_os.path.dirname(__file__), "..", ".."))
from elftools.elf.elffile import ELFFile

argv = sys.argv[1:]
top = 25
if "--top" in argv:
    i = argv.index("--top"); top = int(argv[i + 1]); del argv[i:i + 2]
binary, full = argv[0], argv[1]
base, calls = (argv[2], int(argv[3])) if len(argv) >= 4 else (None, 1)

OBJDUMP = os.environ.get("LLVM_OBJDUMP") or (glob.glob(os.path.expanduser(
    "~/.rustup/toolchains/*/lib/rustlib/*/bin/llvm-objdump")) or ["llvm-objdump"])[0]
dis = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", "-M", "no-aliases", binary],
                     capture_output=True, text=True, check=True).stdout
insts = {}  # addr -> (mnemonic, operands)
for line in dis.splitlines():
    m = re.match(r"\s*([0-9a-f]+):\s+(\S+)\s*(.*)", line)
    if m and not m.group(2).endswith(">:"):
        insts[int(m.group(1), 16)] = (m.group(2), m.group(3).split("<")[0].strip())
addrs_sorted = sorted(insts)

def nxt(a):
    i = bisect.bisect_right(addrs_sorted, a)
    return addrs_sorted[i] if i < len(addrs_sorted) else None

def cost(pc):
    if pc not in insts: return 1
    mn, ops = insts[pc]
    mn = mn.replace("c.", "")
    if mn in ("auipc", "lui") and ops.split(",")[0].strip() == "ra":
        n = nxt(pc)
        if n is not None:
            m2, o2 = insts[n]
            o2 = [x.strip() for x in re.split(r"[,()]", o2) if x.strip()]
            if m2 == "jalr" and len(o2) >= 3 and o2[0] == "ra" and o2[-1] == "ra":
                return 3  # FAR_JUMP_REL / FAR_JUMP_ABS
    if mn in ("ld", "sd", "ldsp", "sdsp"): return 2
    if mn in ("lw", "lh", "lb", "lwu", "lhu", "lbu", "sw", "sh", "sb", "lwsp", "swsp"): return 3
    if mn in ("beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez"): return 3
    if mn in ("j", "jal", "jr", "jalr", "ret", "tail", "call"): return 3
    if mn in ("mul", "mulw", "mulh", "mulhu", "mulhsu"): return 5
    if mn in ("div", "divw", "divu", "divuw", "rem", "remw", "remu", "remuw"): return 32
    if mn in ("ecall", "ebreak"): return 500
    return 1

def is_ecall(pc):
    return pc in insts and insts[pc][0] in ("ecall", "c.ecall")

LEAF = re.compile(r"mem(cpy|set|move|cmp)|bcmp")  # leaf library functions: charged to their caller

def load(path):
    """{pc: count}, {syscall: count}, {(pc, ra): count} for pcs in LEAF functions."""
    pcs, sys_, leaf = collections.Counter(), collections.Counter(), collections.Counter()
    for line in open(path):
        a, a7, ra, n = line.split()
        pc, n = int(a, 16), int(n); pcs[pc] += n
        if is_ecall(pc): sys_[int(a7, 16)] += n
        if LEAF.search(func_of(pc)): leaf[(pc, int(ra, 16))] += n
    return pcs, sys_, leaf

syms = sorted((s["st_value"], s["st_size"], s.name) for s in ELFFile(open(binary, "rb"))
              .get_section_by_name(".symtab").iter_symbols()
              if s["st_info"]["type"] == "STT_FUNC" and s["st_size"] > 0)
saddrs = [s[0] for s in syms]

def func_of(pc):
    i = bisect.bisect_right(saddrs, pc) - 1
    if i >= 0 and pc < syms[i][0] + syms[i][1]: return syms[i][2]
    return "?"

full_pcs, full_sys, full_leaf = load(full)
base_pcs, base_sys, base_leaf = load(base) if base else (collections.Counter(),) * 3
# The call instructions leaf functions return to (the instruction before ra) get the leaf's cycles.
def call_site(ra):
    i = bisect.bisect_left(addrs_sorted, ra) - 1
    return addrs_sorted[i] if i >= 0 else ra
sites = {call_site(ra) for _, ra in list(full_leaf) + list(base_leaf)}
executed = sorted(set(full_pcs) | set(base_pcs) | sites)

# DWARF: line table rows, and inlined-subroutine call sites over the executed pcs.
f = ELFFile(open(binary, "rb")); dw = f.get_dwarf_info(); rows = []
inl = collections.defaultdict(list)  # pc -> [(depth, call file, call line, inlined fn name)]

def short(name):
    name = re.sub(r"^/cargo/registry/src/[^/]+/", "", name)
    name = re.sub(r"^" + re.escape(os.path.expanduser("~/.cargo")) + r"/registry/src/[^/]+/", "", name)
    name = re.sub(r"^/rustc/[0-9a-f]+/", "", name)
    if name.startswith(SRC_ROOT + "/"): name = name[len(SRC_ROOT) + 1:]
    return name

def project(name):
    return name.startswith(("crates/", "contracts/", "tests/"))

def die_name(die, seen=0):
    for attr in ("DW_AT_linkage_name", "DW_AT_name"):
        if attr in die.attributes:
            v = die.attributes[attr].value
            return v.decode() if isinstance(v, bytes) else str(v)
    for attr in ("DW_AT_abstract_origin", "DW_AT_specification"):
        if attr in die.attributes and seen < 4:
            return die_name(die.get_DIE_from_attribute(attr), seen + 1)
    return "?"

rl = dw.range_lists()
for cu in dw.iter_CUs():
    lp = dw.line_program_for_CU(cu)
    if lp is None: continue
    files, dirs, v5 = lp["file_entry"], lp["include_directory"], lp.header.version >= 5
    def fname(idx):
        fe = files[idx] if v5 else files[idx - 1]
        n = fe.name.decode()
        if not n.startswith("/"):
            di = fe.dir_index if v5 else fe.dir_index - 1
            if di >= 0 and di < len(dirs): n = dirs[di].decode() + "/" + n
        return short(n)
    for e in lp.get_entries():
        st = e.state
        if st is None or st.end_sequence: continue
        rows.append((st.address, fname(st.file), st.line))
    cu_base = cu.get_top_DIE().attributes.get("DW_AT_low_pc")
    cu_base = cu_base.value if cu_base else 0
    def walk(die, depth):
        for child in die.iter_children():
            d = depth
            if child.tag == "DW_TAG_inlined_subroutine":
                d = depth + 1
                at = child.attributes
                ranges = []
                if "DW_AT_low_pc" in at and "DW_AT_high_pc" in at:
                    lo = at["DW_AT_low_pc"].value; hi = at["DW_AT_high_pc"].value
                    if at["DW_AT_high_pc"].form != "DW_FORM_addr": hi += lo
                    ranges.append((lo, hi))
                elif "DW_AT_ranges" in at and rl is not None:
                    b = cu_base
                    for r in rl.get_range_list_at_offset(at["DW_AT_ranges"].value, cu=cu):
                        if hasattr(r, "base_address"): b = r.base_address; continue
                        if r.begin_offset == r.end_offset: continue
                        ranges.append((b + r.begin_offset, b + r.end_offset))
                cf = fname(at["DW_AT_call_file"].value) if "DW_AT_call_file" in at else "?"
                cl = at["DW_AT_call_line"].value if "DW_AT_call_line" in at else 0
                name = None
                for lo, hi in ranges:
                    i = bisect.bisect_left(executed, lo)
                    while i < len(executed) and executed[i] < hi:
                        if name is None: name = die_name(child)
                        inl[executed[i]].append((d, cf, cl, name))
                        i += 1
            if child.has_children: walk(child, d)
    walk(cu.get_top_DIE(), 0)
rows.sort(); raddrs = [r[0] for r in rows]

def line_of(pc):
    i = bisect.bisect_right(raddrs, pc) - 1
    return (rows[i][1], rows[i][2]) if i >= 0 else ("?", 0)

def chain(pc):
    """Source locations from the instruction outwards: its line, then each call site."""
    locs = [line_of(pc)]
    for _, cf, cl, _ in sorted(inl.get(pc, []), key=lambda t: -t[0]):
        locs.append((cf, cl))
    return locs

def project_line(pc):
    for loc in chain(pc):
        if project(loc[0]): return loc
    return line_of(pc)

def dem(s):
    """Rust legacy mangling (_ZN...E) to a path without the hash; others as they are."""
    m = re.match(r"_ZN(.*)E$", s)
    if not m: return s
    rest, parts = m.group(1), []
    while rest and rest[0].isdigit():
        n = re.match(r"\d+", rest).group(0); rest = rest[len(n):]
        parts.append(rest[:int(n)]); rest = rest[int(n):]
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]): parts.pop()
    out = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"), ("$C$", ","),
                 ("$u7b$", "{"), ("$u7d$", "}"), ("$BP$", "*"), ("$u5b$", "["), ("$u5d$", "]"),
                 ("..", "::"), ("$u27$", "'"), ("$LP$", "("), ("$RP$", ")")):
        out = out.replace(a, b)
    return out

def price(counts, leaf):
    out = {k: collections.Counter() for k in ("line", "proj", "func")}
    total = ninst = 0
    for pc, n in counts.items():
        c = cost(pc) * n; total += c; ninst += n
        out["line"][line_of(pc)] += c
        out["func"][func_of(pc)] += c
        if not LEAF.search(func_of(pc)): out["proj"][project_line(pc)] += c
    for (pc, ra), n in leaf.items():  # a leaf's cycles, on the project line that called it
        f_, l_ = project_line(call_site(ra))
        out["proj"][(f_, f"{l_} (in {LEAF.search(func_of(pc)).group(0)})")] += cost(pc) * n
    return total, ninst, out

ft, fn, fo = price(full_pcs, full_leaf)
bt, bn, bo = price(base_pcs, base_leaf)
for k in fo: fo[k].subtract(bo[k])
if base:
    print(f"priced: full {ft} cycles ({fn} instructions), base {bt} ({bn}); "
          f"per call {(ft - bt) / calls:.1f} cycles, {(fn - bn) / calls:.1f} instructions")
else:
    print(f"priced {ft} cycles ({fn} instructions)")
SYSNAMES = {93: "exit", 2052: "load_script", 2601: "spawn", 2602: "wait", 2603: "process_id",
            2604: "pipe", 2605: "write", 2606: "read", 2607: "inherited_fds", 2608: "close",
            2092: "load_cell_data", 2177: "debug"}
sysd = collections.Counter(full_sys); sysd.subtract(base_sys)
print("syscalls/call (500 cycles each, ecall only): " + ", ".join(
    f"{SYSNAMES.get(k, k)} {v / calls:g}" for k, v in sorted(sysd.items()) if v))
# where crates/ and contracts/ are: the repository this script is in, unless told otherwise
def source(name, line):
    try:
        line = int(str(line).split()[0])
        if line > 0 and project(name):
            return open(os.path.join(SRC_ROOT, name)).read().splitlines()[line - 1].strip()[:70]
    except (OSError, IndexError, ValueError):
        pass
    return ""
def show(title, counter, fmt):
    print(f"-- {title} --")
    for key, c in sorted(counter.items(), key=lambda kv: -abs(kv[1]))[:top]:
        if c:
            text = fmt(key)
            src = source(*key) if isinstance(key, tuple) else ""
            print(f"{c / calls:9.1f}  {text:44} {src}".rstrip())
show(f"top {top} source lines, innermost (cycles/call)", fo["line"], lambda k: f"{k[0]}:{k[1]}")
show(f"top {top} project lines, through inlining; memcpy & co. on their caller's line (cycles/call)", fo["proj"], lambda k: f"{k[0]}:{k[1]}")
show("functions after inlining (cycles/call)", fo["func"], dem)
