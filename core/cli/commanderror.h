#pragma once

#include "common/error.h"

#include <expected>

namespace rd {

// The process exit codes of releasedesk-cli; scripts rely on them, so never renumber.
enum class ExitCode
{
    Ok = 0,
    Runtime = 1, // I/O, database
    Usage = 2,   // unknown command or option, missing argument
    Invalid = 3, // validation failed
    NotFound = 4,
    Vault = 5,    // vault locked, not initialized, or wrong password
    Conflict = 6, // still in use, or name taken
    ServersFailed = 7, // one or more servers could not be reached or failed the command
};

// An Error together with the exit code it maps to.
struct CommandError
{
    ExitCode code = ExitCode::Runtime;
    Error error;
};

template <typename T = void> using CommandResult = std::expected<T, CommandError>;

inline std::unexpected<CommandError> commandFailure(ExitCode code, Error error)
{
    return std::unexpected(CommandError{code, std::move(error)});
}

inline std::unexpected<CommandError> commandFailure(ExitCode code, QString message, QString hint = {},
                                                    QString field = {})
{
    return commandFailure(code, Error{std::move(message), std::move(hint), std::move(field)});
}

} // namespace rd
