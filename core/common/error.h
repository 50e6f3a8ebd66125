#pragma once

#include <QString>
#include <QStringList>

#include <expected>

namespace rd {

// One error type for every layer: what went wrong (with the underlying library's own words)
// and, where we know it, what the user can do about it. `field` names the input at fault.
struct Error
{
    QString message;
    QString hint;
    QString field;

    QString text() const { return hint.isEmpty() ? message : message + u' ' + hint; }
};

template <typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(QString message, QString hint = {}, QString field = {})
{
    return std::unexpected(Error{std::move(message), std::move(hint), std::move(field)});
}

} // namespace rd
