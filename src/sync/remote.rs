//! The shared storage, through `object_store`: a local folder (kept in sync by Syncthing,
//! Dropbox, a network drive…) or S3-compatible object storage. Only create-only puts, gets,
//! lists and deletes of this device's own files are used — no locks, no compare-and-swap.

use std::sync::Arc;

use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};

/// A file's path and when the storage last modified it (Unix milliseconds).
pub type Dated = (String, i64);

/// An opened shared storage.
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    rt: tokio::runtime::Runtime,
    pub spec: String,
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Sync(format!("{what}: {e}"))
}

impl Remote {
    /// Opens `spec`: a folder path, `file:///path`, or `s3://bucket[/prefix]` (endpoint, region and
    /// credentials from the standard AWS environment variables, e.g. `AWS_ENDPOINT_URL`).
    pub fn open(spec: &str) -> Result<Remote> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| err("starting the sync runtime", e))?;
        let (store, prefix): (Arc<dyn ObjectStore>, String) = if let Some(rest) = spec.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(Error::invalid(format!("'{spec}': give a bucket, e.g. s3://my-bucket/team-workspace")));
            }
            let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
            let endpoint = std::env::var("AWS_ENDPOINT_URL_S3")
                .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
                .or_else(|_| std::env::var("AWS_ENDPOINT"));
            if let Ok(ep) = endpoint {
                if ep.starts_with("http://") {
                    b = b.with_allow_http(true);
                }
                b = b.with_endpoint(ep);
            }
            if std::env::var("AWS_DEFAULT_REGION").is_err() && std::env::var("AWS_REGION").is_err() {
                b = b.with_region("us-east-1");
            }
            let s = b.build().map_err(|e| err(&format!("'{spec}'"), e))?;
            (Arc::new(s), prefix.trim_matches('/').to_string())
        } else {
            let dir = spec.strip_prefix("file://").unwrap_or(spec);
            let dir = std::path::Path::new(dir);
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            let s = LocalFileSystem::new_with_prefix(dir).map_err(|e| err(&format!("'{}'", dir.display()), e))?;
            (Arc::new(s), String::new())
        };
        Ok(Remote { store, prefix, rt, spec: spec.to_string() })
    }

    fn full(&self, rel: &str) -> ObjPath {
        if self.prefix.is_empty() {
            ObjPath::from(rel)
        } else {
            ObjPath::from(format!("{}/{rel}", self.prefix))
        }
    }

    fn rel(&self, p: &ObjPath) -> String {
        let s = p.as_ref();
        if self.prefix.is_empty() {
            s.to_string()
        } else {
            s.strip_prefix(&format!("{}/", self.prefix)).unwrap_or(s).to_string()
        }
    }

    /// Every file under `dir` (relative paths), and the entries the storage could not list.
    pub fn list(&self, dir: &str) -> Result<(Vec<String>, Vec<String>)> {
        let (dated, bad) = self.list_dated(dir)?;
        Ok((dated.into_iter().map(|(rel, _)| rel).collect(), bad))
    }

    /// Every file under `dir` with when the storage last modified it (Unix milliseconds), and the
    /// entries the storage could not list.
    pub fn list_dated(&self, dir: &str) -> Result<(Vec<Dated>, Vec<String>)> {
        let prefix = self.full(dir);
        self.rt.block_on(async {
            let mut s = self.store.list(Some(&prefix));
            let (mut ok, mut bad) = (Vec::new(), Vec::new());
            while let Some(r) = s.next().await {
                match r {
                    Ok(m) => ok.push((self.rel(&m.location), m.last_modified.timestamp_millis())),
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => bad.push(e.to_string()),
                }
            }
            ok.sort();
            Ok((ok, bad))
        })
    }

    /// The bytes of a file, `None` when it does not exist.
    pub fn get(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        let p = self.full(rel);
        self.rt.block_on(async {
            match self.store.get(&p).await {
                Ok(r) => Ok(Some(r.bytes().await.map_err(|e| err(rel, e))?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(err(rel, e)),
            }
        })
    }

    /// Whether a file exists (without reading it).
    pub fn exists(&self, rel: &str) -> Result<bool> {
        let p = self.full(rel);
        self.rt.block_on(async {
            match self.store.head(&p).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(err(rel, e)),
            }
        })
    }

    /// Writes a new file; false (and nothing written) when it exists already.
    pub fn put_new(&self, rel: &str, bytes: Vec<u8>) -> Result<bool> {
        let p = self.full(rel);
        self.rt.block_on(async {
            let opts = PutOptions { mode: PutMode::Create, ..Default::default() };
            match self.store.put_opts(&p, PutPayload::from(bytes), opts).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
                Err(e) => Err(err(&format!("writing {rel}"), e)),
            }
        })
    }

    /// Removes a file (this device's own, or a segment compaction found covered).
    pub fn delete(&self, rel: &str) -> Result<()> {
        let p = self.full(rel);
        self.rt.block_on(async {
            match self.store.delete(&p).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(err(&format!("removing {rel}"), e)),
            }
        })
    }
}
