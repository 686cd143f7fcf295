//! Chat-template rendering (the Jinja template stored in `tokenizer.chat_template`).

use crate::{ChatMessage, LlmError};
use minijinja::{context, Environment, ErrorKind};

const TEMPLATE_NAME: &str = "chat";

/// A compiled chat template plus the token strings it may reference.
pub(crate) struct ChatTemplate {
    env: Environment<'static>,
    bos_token: String,
    eos_token: String,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate").finish_non_exhaustive()
    }
}

fn raise_exception(msg: String) -> Result<String, minijinja::Error> {
    Err(minijinja::Error::new(ErrorKind::InvalidOperation, msg))
}

fn template_err(e: minijinja::Error) -> LlmError {
    // Include the chained causes: minijinja puts the useful detail there.
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    LlmError::Template(msg)
}

impl ChatTemplate {
    pub(crate) fn new(
        source: &str,
        bos_token: String,
        eos_token: String,
    ) -> Result<Self, LlmError> {
        let mut env = Environment::new();
        // Same settings as transformers' apply_chat_template (jinja2 sandbox).
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // HF templates call Python string methods (.strip(), .startswith(), ...).
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_template_owned(TEMPLATE_NAME, source.to_string())
            .map_err(template_err)?;
        Ok(ChatTemplate {
            env,
            bos_token,
            eos_token,
        })
    }

    pub(crate) fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, LlmError> {
        let tmpl = self.env.get_template(TEMPLATE_NAME).map_err(template_err)?;
        tmpl.render(context! {
            messages => messages,
            add_generation_prompt => add_generation_prompt,
            bos_token => self.bos_token,
            eos_token => self.eos_token,
        })
        .map_err(template_err)
    }
}
