//! Builds `lexicon/sv.fst` from `lexicon/sv-forms.tsv` (written by `scripts/lexicon/build.py`):
//! `cargo run --example lexicon_fst`. Each line is `form<TAB>flags<TAB>lemma numbers`, sorted
//! by bytes.

use std::io::BufRead;

fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicon");
    let input = std::io::BufReader::new(std::fs::File::open(root.join("sv-forms.tsv"))?);
    let out = root.join("sv.fst");
    let mut builder = fst::MapBuilder::new(std::io::BufWriter::new(std::fs::File::create(&out)?))?;
    let mut n = 0u64;
    for line in input.lines() {
        let line = line?;
        let mut cols = line.split('\t');
        let (Some(form), Some(flags), Some(ids)) = (cols.next(), cols.next(), cols.next()) else {
            anyhow::bail!("sv-forms.tsv: a line without three columns: {line:?}");
        };
        let ids: Vec<u64> = ids.split(' ').filter(|s| !s.is_empty()).map(str::parse).collect::<Result<_, _>>()?;
        builder.insert(form, mellanrum::lexicon::pack(flags.parse()?, &ids))?;
        n += 1;
    }
    builder.finish()?;
    println!("{n} forms → {} ({} bytes)", out.display(), std::fs::metadata(&out)?.len());
    Ok(())
}
