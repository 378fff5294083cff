//! Fuzzes the instrument loader: any file either loads into an instrument whose references are all
//! in range, or is refused with problems that point into the file. Never a panic.
//!
//! Instruments come from files an operator puts in the `--instruments` folder and from the copies
//! rounds store, so the input is any UTF-8 text (the loader's file reader turns other bytes into a
//! problem before it gets here).

#![no_main]

use libfuzzer_sys::fuzz_target;
use partnerscope::instrument::{LoadError, load_str};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match load_str("fuzz.toml", src) {
        Ok(instrument) => {
            // What scoring and the form take for granted without checking again.
            for item in &instrument.items {
                let scale = &instrument.scales[item.scale];
                assert!(scale.min < scale.max);
                let _ = scale.points();
                assert!(item.dimension < instrument.dimensions.len());
                assert!(item.factor.is_none_or(|f| f < instrument.factors.len()));
            }
            for dimension in &instrument.dimensions {
                assert!(dimension.scale < instrument.scales.len());
                assert!(dimension.items.iter().all(|&i| i < instrument.items.len()));
                assert!(
                    dimension
                        .factors
                        .iter()
                        .all(|&f| f < instrument.factors.len())
                );
            }
            for factor in &instrument.factors {
                assert!(factor.dimension < instrument.dimensions.len());
                assert!(factor.items.iter().all(|&i| i < instrument.items.len()));
            }
            assert_eq!(instrument.source, src);
        }
        Err(LoadError::Invalid { problems, .. }) => {
            assert!(!problems.is_empty(), "refused without a problem");
            let lines = src.lines().count().max(1) + 1;
            for p in &problems {
                assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{p:?}");
            }
        }
        Err(e) => panic!("load_str cannot fail with {e}"),
    }
});
