//! Typed reading and writing of DynamoDB attribute maps.

use std::collections::HashMap;
use std::str::FromStr;

use aws_sdk_dynamodb::types::AttributeValue;
use rust_decimal::Decimal;
use thiserror::Error;

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// An item that does not have the shape its model needs: a bug or a manual
/// edit, never a client error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("attribute {attribute:?}: {problem}")]
pub struct ItemError {
    pub attribute: String,
    pub problem: String,
}

impl ItemError {
    fn new(attribute: &str, problem: impl Into<String>) -> Self {
        ItemError { attribute: attribute.to_owned(), problem: problem.into() }
    }
}

/// Builds an item attribute by attribute, leaving out absent options.
#[derive(Default)]
pub(crate) struct ItemWriter {
    item: Item,
}

impl ItemWriter {
    pub(crate) fn string(mut self, name: &str, value: impl Into<String>) -> Self {
        self.item.insert(name.to_owned(), AttributeValue::S(value.into()));
        self
    }

    pub(crate) fn opt_string(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.string(name, value),
            None => self,
        }
    }

    pub(crate) fn number(mut self, name: &str, value: impl ToString) -> Self {
        self.item.insert(name.to_owned(), AttributeValue::N(value.to_string()));
        self
    }

    pub(crate) fn opt_number(self, name: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.number(name, value),
            None => self,
        }
    }

    pub(crate) fn boolean(mut self, name: &str, value: bool) -> Self {
        self.item.insert(name.to_owned(), AttributeValue::Bool(value));
        self
    }

    pub(crate) fn map(mut self, name: &str, value: Item) -> Self {
        self.item.insert(name.to_owned(), AttributeValue::M(value));
        self
    }

    pub(crate) fn build(self) -> Item {
        self.item
    }
}

/// Reads typed attributes out of an item.
pub(crate) struct ItemReader<'a> {
    item: &'a Item,
}

impl<'a> ItemReader<'a> {
    pub(crate) fn new(item: &'a Item) -> Self {
        ItemReader { item }
    }

    fn get(&self, name: &str) -> Result<&'a AttributeValue, ItemError> {
        self.item.get(name).ok_or_else(|| ItemError::new(name, "missing"))
    }

    pub(crate) fn string(&self, name: &str) -> Result<String, ItemError> {
        match self.get(name)? {
            AttributeValue::S(value) => Ok(value.clone()),
            _ => Err(ItemError::new(name, "not a string")),
        }
    }

    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<String>, ItemError> {
        match self.item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(_) => self.string(name).map(Some),
        }
    }

    /// A string attribute holding one of an enum's names.
    pub(crate) fn parsed<T: FromStr>(&self, name: &str) -> Result<T, ItemError>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.string(name)?;
        text.parse().map_err(|err: T::Err| ItemError::new(name, err.to_string()))
    }

    pub(crate) fn opt_parsed<T: FromStr>(&self, name: &str) -> Result<Option<T>, ItemError>
    where
        T::Err: std::fmt::Display,
    {
        match self.opt_string(name)? {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|err: T::Err| ItemError::new(name, err.to_string())),
        }
    }

    fn number_text(&self, name: &str) -> Result<&'a str, ItemError> {
        match self.get(name)? {
            AttributeValue::N(value) => Ok(value),
            _ => Err(ItemError::new(name, "not a number")),
        }
    }

    pub(crate) fn integer<T: FromStr>(&self, name: &str) -> Result<T, ItemError> {
        let text = self.number_text(name)?;
        text.parse().map_err(|_| ItemError::new(name, format!("{text:?} is out of range")))
    }

    pub(crate) fn opt_integer<T: FromStr>(&self, name: &str) -> Result<Option<T>, ItemError> {
        match self.item.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(_) => self.integer(name).map(Some),
        }
    }

    /// A money or rate amount, given back with `scale` decimal places
    /// (DynamoDB drops trailing zeros: `12.50` is read as `12.5`).
    pub(crate) fn decimal(&self, name: &str, scale: u32) -> Result<Decimal, ItemError> {
        let text = self.number_text(name)?;
        let mut value = Decimal::from_str_exact(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map_err(|_| ItemError::new(name, format!("{text:?} is not a decimal")))?;
        if value.scale() < scale {
            value.rescale(scale);
        }
        Ok(value)
    }

    pub(crate) fn boolean(&self, name: &str) -> Result<bool, ItemError> {
        match self.get(name)? {
            AttributeValue::Bool(value) => Ok(*value),
            _ => Err(ItemError::new(name, "not a boolean")),
        }
    }

    pub(crate) fn map(&self, name: &str) -> Result<ItemReader<'a>, ItemError> {
        match self.get(name)? {
            AttributeValue::M(value) => Ok(ItemReader { item: value }),
            _ => Err(ItemError::new(name, "not a map")),
        }
    }
}
