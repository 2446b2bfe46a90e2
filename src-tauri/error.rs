//! The one error that crosses IPC: `{ "code": ..., "message": ... }`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl From<fieldbook_core::Error> for IpcError {
    fn from(error: fieldbook_core::Error) -> Self {
        IpcError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<&fieldbook_core::Error> for IpcError {
    fn from(error: &fieldbook_core::Error) -> Self {
        IpcError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let error = IpcError::from(fieldbook_core::Error::NewerDatabase {
            found: 9,
            supported: 1,
        });
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "newer_database");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("Update Fieldbook"));
        assert_eq!(json.as_object().unwrap().len(), 2);
    }
}
