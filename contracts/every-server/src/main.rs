//! Serves `test_proto::every::Every` (every kind of type a description has), for the
//! generated TypeScript client's test in ckb-js-vm.
#![no_std]
#![no_main]

use alloc::string::String;
use alloc::vec::Vec;
use test_proto::every::{Every, EveryServer, Fixed, Record, Shape};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

struct Service;

impl Every for Service {
    fn small(&mut self, a: u8, b: i8, c: u16, d: i32) -> (u32, i32) {
        (u32::from(a) + u32::from(c), d.wrapping_add(i32::from(b)))
    }
    fn wide(&mut self, e: u64, f: i64, g: u128, h: i128) -> (u64, i128, u128) {
        (e.wrapping_add(1), h.wrapping_add(i128::from(f)), g)
    }
    fn not(&mut self, x: bool) -> bool {
        !x
    }
    fn reverse(&mut self, s: String) -> String {
        s.chars().rev().collect()
    }
    fn record(&mut self, mut r: Record) -> Record {
        r.tags.reverse();
        r.maybe = r.maybe.map(|m| m.wrapping_add(1));
        r
    }
    fn shapes(&mut self, mut v: Vec<Shape>) -> Vec<Shape> {
        v.reverse();
        v
    }
    fn fixed(&mut self, mut f: Fixed) -> Fixed {
        f.flag = !f.flag;
        f.c = f.c.wrapping_add(1);
        f
    }
    fn bytes_of(&mut self, x: Option<Fixed>) -> Option<Vec<u8>> {
        x.map(|f| f.d.to_vec())
    }
    fn halve(&mut self, n: u32) -> Result<u32, Shape> {
        match n {
            7 => Err(Shape::Empty),
            n if n % 2 == 1 => Err(Shape::Square(n as u8)),
            n => Ok(n / 2),
        }
    }
    fn nothing(&mut self) {}
}

fn program_entry() -> i8 {
    match ckb_ipc::run_server(EveryServer(Service)) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
