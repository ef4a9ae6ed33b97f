//! Arrow arrays in and out through the Arrow C data interface's PyCapsules
//! (`__arrow_c_array__`): pyarrow's buffers are read in place, and the arrays built here are
//! handed to pyarrow without a copy.

use std::sync::Arc;

use arrow_array::ffi::{from_ffi, to_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{
    make_array, Array, ArrayRef, BooleanArray, Float64Array, LargeStringArray, StringArray,
    StringViewArray, UInt32Array, UInt64Array,
};
use arrow_schema::DataType;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::error;

/// Import an array from any object with `__arrow_c_array__` (a pyarrow `Array`).
pub(crate) fn import(obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) =
        obj.call_method0("__arrow_c_array__")?.extract()?;
    let schema_ptr =
        schema.pointer_checked(Some(c"arrow_schema"))?.as_ptr() as *const FFI_ArrowSchema;
    let array_ptr = array.pointer_checked(Some(c"arrow_array"))?.as_ptr() as *mut FFI_ArrowArray;
    // SAFETY: the capsules are the C data interface's, checked by name above; the array is
    // moved out of its capsule (its release callback is now ours and runs when the buffers
    // are dropped), the schema only read.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr);
        from_ffi(array, &*schema_ptr)
    }
    .map_err(error)?;
    Ok(make_array(data))
}

/// The C data interface's structs, sent to Python inside a capsule. `repr(transparent)`:
/// the capsule's pointer is the struct's.
#[repr(transparent)]
struct Sendable<T>(T);
// SAFETY: the structs own their buffers (Arc'd by arrow) and are only moved, never shared.
unsafe impl<T> Send for Sendable<T> {}

/// Export an array as the (schema, array) capsule pair of `__arrow_c_array__`.
pub(crate) fn export(py: Python<'_>, array: ArrayRef) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let (array, schema) = to_ffi(&array.to_data()).map_err(error)?;
    let schema = PyCapsule::new_with_value(py, Sendable(schema), c"arrow_schema")?;
    let array = PyCapsule::new_with_value(py, Sendable(array), c"arrow_array")?;
    Ok((schema.into_any().unbind(), array.into_any().unbind()))
}

/// `export` for a vector of numbers, without a copy.
pub(crate) fn u64s(py: Python<'_>, values: Vec<u64>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(py, Arc::new(UInt64Array::from(values)))
}

/// `export` for a vector of numbers, without a copy.
pub(crate) fn u32s(py: Python<'_>, values: Vec<u32>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(py, Arc::new(UInt32Array::from(values)))
}

/// `export` for a vector of numbers, without a copy.
pub(crate) fn f64s(py: Python<'_>, values: Vec<f64>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(py, Arc::new(Float64Array::from(values)))
}

/// `export` for a vector of booleans.
pub(crate) fn bools(py: Python<'_>, values: Vec<bool>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(py, Arc::new(BooleanArray::from(values)))
}

/// `export` for strings (nulls for `None`).
pub(crate) fn strings(
    py: Python<'_>,
    values: Vec<Option<String>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    export(py, Arc::new(LargeStringArray::from(values)))
}

/// The texts of a string array (utf8, large_utf8 or utf8_view), borrowed from its buffers;
/// a null is `None`.
pub(crate) fn texts(array: &ArrayRef) -> PyResult<Vec<Option<&str>>> {
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return Ok(a.iter().collect());
    }
    if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        return Ok(a.iter().collect());
    }
    if let Some(a) = any.downcast_ref::<StringViewArray>() {
        return Ok(a.iter().collect());
    }
    Err(error(format!(
        "expected an array of strings, not {}",
        array.data_type()
    )))
}

/// The values of an integer array as u64 (any integer type; negative values, as Spark's
/// signed longs carry unsigned hashes, keep their bits). Nulls are refused.
pub(crate) fn integers(array: &ArrayRef, what: &str) -> PyResult<Vec<u64>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    if array.null_count() > 0 {
        return Err(error(format!("{what}: nulls are not allowed")));
    }
    Ok(match array.data_type() {
        DataType::UInt64 => array.as_primitive::<UInt64Type>().values().to_vec(),
        DataType::Int64 => array
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        DataType::UInt32 => array
            .as_primitive::<UInt32Type>()
            .values()
            .iter()
            .map(|&v| u64::from(v))
            .collect(),
        DataType::Int32 => array
            .as_primitive::<Int32Type>()
            .values()
            .iter()
            .map(|&v| v as u32 as u64)
            .collect(),
        other => {
            return Err(error(format!(
                "{what}: expected an array of integers, not {other}"
            )))
        }
    })
}

/// The values of a float array. Nulls are refused.
pub(crate) fn floats(array: &ArrayRef, what: &str) -> PyResult<Vec<f64>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    if array.null_count() > 0 {
        return Err(error(format!("{what}: nulls are not allowed")));
    }
    match array.data_type() {
        DataType::Float64 => Ok(array.as_primitive::<Float64Type>().values().to_vec()),
        other => Err(error(format!(
            "{what}: expected an array of float64, not {other}"
        ))),
    }
}
