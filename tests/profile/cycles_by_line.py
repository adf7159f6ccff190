"""Cycles per source line of a CKB-VM run: block starts from ckb-debugger's step log, each
block priced with CKB-VM's cost model over its disassembly, mapped to lines with DWARF."""
import sys, re, bisect, collections, subprocess
from elftools.elf.elffile import ELFFile
binary, steplog, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
import glob, os
OBJDUMP = os.environ.get("LLVM_OBJDUMP") or (glob.glob(os.path.expanduser("~/.rustup/toolchains/*/lib/rustlib/*/bin/llvm-objdump")) or ["llvm-objdump"])[0]
dis = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", binary], capture_output=True, text=True).stdout
insts = []  # (addr, mnemonic)
for line in dis.splitlines():
    m = re.match(r"\s*([0-9a-f]+):\s+(\S+)", line)
    if m: insts.append((int(m.group(1), 16), m.group(2)))
insts.sort()
addr_idx = {a: i for i, (a, _) in enumerate(insts)}
def cost(mn):
    mn = mn.replace("c.", "")
    if mn in ("ld", "sd", "ldsp", "sdsp"): return 2
    if mn in ("lw","lh","lb","lwu","lhu","lbu","sw","sh","sb","lwsp","swsp"): return 3
    if mn.startswith("b") and mn not in ("bset","bclr","binv","bext","bseti","bclri","binvi","bexti"): return 3
    if mn in ("j","jal","jr","jalr","ret","tail","call"): return 3
    if mn.startswith("mul"): return 5
    if mn.startswith("div") or mn.startswith("rem"): return 32
    if mn in ("ecall", "ebreak"): return 500
    return 1
pcs = collections.Counter()
for line in open(steplog):
    if line.startswith("pc"): pcs[int(line.split("0x")[1].strip(), 16)] += 1
f = ELFFile(open(binary, "rb")); dw = f.get_dwarf_info(); rows = []
for cu in dw.iter_CUs():
    lp = dw.line_program_for_CU(cu)
    if lp is None: continue
    files = lp['file_entry']
    for e in lp.get_entries():
        st = e.state
        if st is None or st.end_sequence: continue
        fe = files[st.file - 1] if lp.header.version < 5 else files[st.file]
        rows.append((st.address, fe.name.decode(), st.line))
rows.sort(); addrs = [r[0] for r in rows]
agg = collections.Counter(); total = 0
for pc, n in pcs.items():
    i0 = addr_idx.get(pc); c = (cost(insts[i0][1]) if i0 is not None else 1) * n; total += c
    i = bisect.bisect_right(addrs, pc) - 1
    key = (rows[i][1], rows[i][2]) if i >= 0 else ("?", 0)
    agg[key] += c
print(f"priced {total} cycles ({total/calls:.0f}/call)")
for (name, line), c in agg.most_common(40):
    print(f"{c/calls:8.1f}/call  {name}:{line}")
