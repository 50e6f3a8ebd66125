#include "guihostkeyprompt.h"
#include "dialogs/hostkeydialog.h"
#include "hostkeys/knownhosts.h"

#include <QApplication>
#include <QThread>

#include <optional>

namespace rd {

GuiHostKeyPrompt::GuiHostKeyPrompt(QWidget *dialogParent) : m_state(std::make_shared<State>())
{
    m_state->parent = dialogParent;
}

GuiHostKeyPrompt::~GuiHostKeyPrompt() { cancel(); }

void GuiHostKeyPrompt::setServerName(const QString &host, int port, const QString &name)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->names.insert(KnownHosts::hostPattern(host, port), name);
}

void GuiHostKeyPrompt::cancel()
{
    {
        QMutexLocker lock(&m_state->mutex);
        m_state->cancelled = true;
        m_state->answered.wakeAll();
    }
    if (m_state->open)
        m_state->open->reject();
}

HostKeyPrompt GuiHostKeyPrompt::prompt() const
{
    return [state = m_state](const HostKeyInfo &info) { return ask(state, info); };
}

HostKeyDecision GuiHostKeyPrompt::show(State &state, const HostKeyInfo &info)
{
    QString name;
    {
        QMutexLocker lock(&state.mutex);
        if (state.cancelled)
            return HostKeyDecision::Reject;
        name = state.names.value(KnownHosts::hostPattern(info.host, info.port), info.host);
    }
    // On the heap and watched: closing its parent window while it is open deletes it.
    QPointer<HostKeyDialog> dialog = new HostKeyDialog(info, name, state.parent);
    state.open = dialog;
    dialog->exec();
    const HostKeyDecision decision = dialog ? dialog->decision() : HostKeyDecision::Reject;
    delete dialog;
    return decision;
}

HostKeyDecision GuiHostKeyPrompt::ask(const std::shared_ptr<State> &state, const HostKeyInfo &info)
{
    // Asked on the GUI thread itself (no worker): a queued call would wait for this very thread.
    if (QThread::currentThread() == qApp->thread())
        return show(*state, info);

    QMutexLocker asking(&state->asking);
    // The answer travels through shared state rather than a blocking queued call, so that
    // cancel() can release this thread even when the GUI thread is busy waiting for it.
    auto answer = std::make_shared<std::optional<HostKeyDecision>>();
    QMetaObject::invokeMethod(
        qApp,
        [state, answer, info] {
            const HostKeyDecision decision = show(*state, info);
            QMutexLocker lock(&state->mutex);
            *answer = decision;
            state->answered.wakeAll();
        },
        Qt::QueuedConnection);
    QMutexLocker lock(&state->mutex);
    while (!answer->has_value() && !state->cancelled)
        state->answered.wait(&state->mutex);
    return answer->value_or(HostKeyDecision::Reject);
}

} // namespace rd
