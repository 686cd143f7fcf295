//! Builds a `tokenizers::Tokenizer` from GGUF metadata (no tokenizer.json ships with a GGUF).

use crate::LlmError;
use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::tokenizer::SplitDelimiterBehavior;
use tokenizers::{AddedToken, Tokenizer};

/// Split patterns as llama.cpp and the HF tokenizer.json files of these families use them.
const REGEX_QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const REGEX_LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// GGUF token types (llama.cpp `llama_token_type`): 1 normal, 6 byte; the rest are special.
const TOKEN_TYPE_NORMAL: i64 = 1;
const TOKEN_TYPE_BYTE: i64 = 6;

fn meta<'a>(ct: &'a Content, key: &str) -> Result<&'a Value, LlmError> {
    ct.metadata
        .get(key)
        .ok_or_else(|| LlmError::Metadata(format!("missing key `{key}`")))
}

pub(crate) fn meta_str<'a>(ct: &'a Content, key: &str) -> Option<&'a str> {
    match ct.metadata.get(key) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

pub(crate) fn value_as_i64(v: &Value) -> Option<i64> {
    Some(match v {
        Value::U8(x) => *x as i64,
        Value::I8(x) => *x as i64,
        Value::U16(x) => *x as i64,
        Value::I16(x) => *x as i64,
        Value::U32(x) => *x as i64,
        Value::I32(x) => *x as i64,
        Value::U64(x) => i64::try_from(*x).ok()?,
        Value::I64(x) => *x,
        _ => return None,
    })
}

pub(crate) fn meta_u32(ct: &Content, key: &str) -> Option<u32> {
    ct.metadata
        .get(key)
        .and_then(value_as_i64)
        .and_then(|v| u32::try_from(v).ok())
}

fn string_array(ct: &Content, key: &str) -> Result<Vec<String>, LlmError> {
    let Value::Array(items) = meta(ct, key)? else {
        return Err(LlmError::Metadata(format!("`{key}` is not an array")));
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(LlmError::Metadata(format!(
                "`{key}` has a non-string element {:?}",
                other.value_type()
            ))),
        })
        .collect()
}

fn split(regex: &str) -> Result<PreTokenizerWrapper, LlmError> {
    let s = Split::new(
        SplitPattern::Regex(regex.to_string()),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(|e| LlmError::Tokenizer(e.to_string()))?;
    Ok(s.into())
}

/// Build the tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata.
///
/// Supports the `gpt2` (byte-level BPE) model with pre-tokenizers `smollm`, `default`, `gpt2`,
/// `qwen2` and `llama3` (alias `llama-bpe`); any other `pre` value is an error, because a wrong
/// guess silently produces different ids.
pub fn tokenizer_from_gguf(ct: &Content) -> Result<Tokenizer, LlmError> {
    let model = meta_str(ct, "tokenizer.ggml.model")
        .ok_or_else(|| LlmError::Metadata("missing key `tokenizer.ggml.model`".into()))?;
    if model != "gpt2" {
        return Err(LlmError::UnsupportedTokenizerModel(model.to_string()));
    }
    let tokens = string_array(ct, "tokenizer.ggml.tokens")?;
    let merges: Vec<(String, String)> = string_array(ct, "tokenizer.ggml.merges")?
        .into_iter()
        .map(|m| match m.split_once(' ') {
            Some((a, b)) => Ok((a.to_string(), b.to_string())),
            None => Err(LlmError::Metadata(format!("invalid merge entry `{m}`"))),
        })
        .collect::<Result<_, _>>()?;
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| LlmError::Tokenizer(e.to_string()))?;
    let mut tok = Tokenizer::new(bpe);

    let pre = meta_str(ct, "tokenizer.ggml.pre").unwrap_or("default");
    match pre {
        // SmolLM2's tokenizer.json: Digits(individual) then ByteLevel(no prefix space, GPT-2 regex).
        "smollm" => {
            let seq = Sequence::new(vec![
                Digits::new(true).into(),
                ByteLevel::new(false, true, true).into(),
            ]);
            tok.with_pre_tokenizer(Some(PreTokenizerWrapper::Sequence(seq)));
        }
        "default" | "gpt2" | "gpt-2" => {
            tok.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
        }
        "qwen2" => {
            tok.with_normalizer(Some(NFC));
            let seq = Sequence::new(vec![
                split(REGEX_QWEN2)?,
                ByteLevel::new(false, false, false).into(),
            ]);
            tok.with_pre_tokenizer(Some(PreTokenizerWrapper::Sequence(seq)));
        }
        "llama3" | "llama-bpe" | "smaug-bpe" => {
            let seq = Sequence::new(vec![
                split(REGEX_LLAMA3)?,
                ByteLevel::new(false, true, false).into(),
            ]);
            tok.with_pre_tokenizer(Some(PreTokenizerWrapper::Sequence(seq)));
        }
        other => return Err(LlmError::UnknownPreTokenizer(other.to_string())),
    }
    tok.with_decoder(Some(ByteLevelDecoder::new(true, true, true)));

    // Control / user-defined / unknown tokens must match as whole units in text, so that
    // `<|im_start|>` in a rendered template encodes to its single id.
    let mut specials = Vec::new();
    if let Some(Value::Array(types)) = ct.metadata.get("tokenizer.ggml.token_type") {
        for (idx, t) in types.iter().enumerate() {
            let ty = value_as_i64(t).unwrap_or(TOKEN_TYPE_NORMAL);
            if ty != TOKEN_TYPE_NORMAL && ty != TOKEN_TYPE_BYTE {
                if let Some(s) = tokens.get(idx) {
                    specials.push(AddedToken::from(s.clone(), true));
                }
            }
        }
    }
    for key in [
        "tokenizer.ggml.bos_token_id",
        "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.eot_token_id",
        "tokenizer.ggml.padding_token_id",
        "tokenizer.ggml.unknown_token_id",
    ] {
        if let Some(s) = meta_u32(ct, key).and_then(|id| tokens.get(id as usize)) {
            if !specials.iter().any(|a| a.content == *s) {
                specials.push(AddedToken::from(s.clone(), true));
            }
        }
    }
    if !specials.is_empty() {
        tok.add_special_tokens(&specials);
    }
    Ok(tok)
}
