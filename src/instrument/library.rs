//! A library of loaded instruments, found by id: the ones shipped inside the binary, plus any
//! folder of instrument files an operator adds. An id names one instrument only.

use std::collections::HashMap;
use std::path::Path;

use super::{Instrument, LoadError, load_file, load_str};

/// File name and TOML source of every shipped instrument, compiled in so a bare `partnerscope`
/// has them.
pub const SHIPPED: [(&str, &str); 3] = [
    (
        "instruments/collaboration-factors.toml",
        include_str!("../../instruments/collaboration-factors.toml"),
    ),
    (
        "instruments/partnership-synergy.toml",
        include_str!("../../instruments/partnership-synergy.toml"),
    ),
    (
        "instruments/coalition-effectiveness.toml",
        include_str!("../../instruments/coalition-effectiveness.toml"),
    ),
];

/// Instruments by id, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Library {
    instruments: Vec<Instrument>,
    by_id: HashMap<String, usize>,
}

impl Library {
    /// The shipped instruments.
    pub fn shipped() -> Result<Library, LoadError> {
        let mut library = Library::default();
        for (file, src) in SHIPPED {
            library.add(file, load_str(file, src)?)?;
        }
        Ok(library)
    }

    /// Adds `instrument`, loaded from `file`; fails if its id is taken.
    pub fn add(&mut self, file: &str, instrument: Instrument) -> Result<(), LoadError> {
        if self.by_id.contains_key(&instrument.id) {
            return Err(LoadError::DuplicateId {
                file: file.to_string(),
                id: instrument.id,
            });
        }
        self.by_id
            .insert(instrument.id.clone(), self.instruments.len());
        self.instruments.push(instrument);
        Ok(())
    }

    /// Adds every `*.toml` file in `dir`, in file name order.
    pub fn add_folder(&mut self, dir: &Path) -> Result<(), LoadError> {
        let unreadable = |source| LoadError::Io {
            file: dir.display().to_string(),
            source,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(unreadable)?;
        files.retain(|path| path.extension().is_some_and(|ext| ext == "toml"));
        files.sort();
        for file in files {
            self.add(&file.display().to_string(), load_file(&file)?)?;
        }
        Ok(())
    }

    /// The instrument with identifier `id`.
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.by_id.get(id).map(|&i| &self.instruments[i])
    }

    /// Every instrument, in the order added.
    pub fn iter(&self) -> std::slice::Iter<'_, Instrument> {
        self.instruments.iter()
    }

    /// How many instruments there are.
    pub fn len(&self) -> usize {
        self.instruments.len()
    }

    /// Whether the library has no instrument.
    pub fn is_empty(&self) -> bool {
        self.instruments.is_empty()
    }

    /// The instrument a command line names: the file `name`, or the shipped instrument with id
    /// `name` when no such file exists.
    pub fn resolve(name: &str) -> Result<Instrument, LoadError> {
        let path = Path::new(name);
        if !path.exists()
            && let Some(instrument) = Library::shipped()?.get(name)
        {
            return Ok(instrument.clone());
        }
        load_file(path)
    }
}

impl<'a> IntoIterator for &'a Library {
    type Item = &'a Instrument;
    type IntoIter = std::slice::Iter<'a, Instrument>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Instrument> for Library {
    fn from(instrument: Instrument) -> Library {
        let mut library = Library::default();
        library.by_id.insert(instrument.id.clone(), 0);
        library.instruments.push(instrument);
        library
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_can_be_added_only_once() {
        let mut library = Library::shipped().unwrap();
        let again = library.get("collaboration-factors").unwrap().clone();
        let error = library.add("again.toml", again).unwrap_err();
        assert_eq!(
            error.to_string(),
            "again.toml: an instrument with id `collaboration-factors` is already loaded"
        );
        assert_eq!(library.len(), SHIPPED.len());
    }
}
