<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnsibleInventory</name>
    <message>
        <source>Line %1: %2 was skipped: %3</source>
        <translation>第 %1 行：已跳过%2：%3</translation>
    </message>
    <message>
        <source>Line %1: %2 is not valid: %3</source>
        <translation>第 %1 行：%2无效：%3</translation>
    </message>
    <message>
        <source>host &quot;%1&quot;</source>
        <translation>主机“%1”</translation>
    </message>
    <message>
        <source>Line %1: the group &quot;%2&quot; did not become a tag: %3</source>
        <translation>第 %1 行：组“%2”未转为标签：%3</translation>
    </message>
    <message>
        <source>%1 belongs to the project &quot;%2&quot;, which is not in the inventory.</source>
        <translation>%1属于项目“%2”，但清单中没有该项目。</translation>
    </message>
    <message>
        <source>Create the project first, or export with its git URL.</source>
        <translation>请先创建该项目，或在导出时带上它的 git 地址。</translation>
    </message>
    <message>
        <source>the project &quot;%1&quot; of %2</source>
        <translation>%2的项目“%1”</translation>
    </message>
    <message>
        <source>group &quot;%1&quot;</source>
        <translation>组“%1”</translation>
    </message>
    <message>
        <source>%1 should become an environment of the project &quot;%2&quot;, which does not exist.</source>
        <translation>%1应成为项目“%2”的环境，但该项目不存在。</translation>
    </message>
    <message>
        <source>Create the project first, or import the groups as tags.</source>
        <translation>请先创建该项目，或将组作为标签导入。</translation>
    </message>
    <message>
        <source>The YAML inventory could not be written: %1</source>
        <translation>无法写出 YAML 清单：%1</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Correct the inventory file and import it again.</source>
        <translation>请修改清单文件后重新导入。</translation>
    </message>
    <message>
        <source>the host range in &quot;%1&quot; is not valid.</source>
        <translation>“%1”中的主机范围无效。</translation>
    </message>
    <message>
        <source>Write ranges like web[01:10] or db-[a:f].</source>
        <translation>范围的写法如 web[01:10] 或 db-[a:f]。</translation>
    </message>
    <message>
        <source>the step of the host range in &quot;%1&quot; is not valid.</source>
        <translation>“%1”中主机范围的步长无效。</translation>
    </message>
    <message>
        <source>the host range in &quot;%1&quot; is empty or too large.</source>
        <translation>“%1”中的主机范围为空或过大。</translation>
    </message>
    <message>
        <source>a quote is not closed.</source>
        <translation>引号未闭合。</translation>
    </message>
    <message>
        <source>the section header &quot;%1&quot; is not closed.</source>
        <translation>节标题“%1”未闭合。</translation>
    </message>
    <message>
        <source>the section &quot;%1&quot; is not a group, :vars or :children section.</source>
        <translation>节“%1”既不是组，也不是 :vars 或 :children 节。</translation>
    </message>
    <message>
        <source>the group name in &quot;%1&quot; is not valid.</source>
        <translation>“%1”中的组名无效。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a key=value host variable.</source>
        <translation>“%1”不是 key=value 形式的主机变量。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a key=value group variable.</source>
        <translation>“%1”不是 key=value 形式的组变量。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a group name.</source>
        <translation>“%1”不是组名。</translation>
    </message>
    <message>
        <source>the variables of %1 must be a mapping.</source>
        <translation>%1 的变量必须是映射（mapping）。</translation>
    </message>
    <message>
        <source>groups are nested too deeply.</source>
        <translation>组的嵌套层级过深。</translation>
    </message>
    <message>
        <source>the group &quot;%1&quot; must be a mapping with hosts, vars or children.</source>
        <translation>组“%1”必须是包含 hosts、vars 或 children 的映射。</translation>
    </message>
    <message>
        <source>the hosts of &quot;%1&quot; must be a mapping.</source>
        <translation>“%1”的 hosts 必须是映射。</translation>
    </message>
    <message>
        <source>the children of &quot;%1&quot; must be a mapping.</source>
        <translation>“%1”的 children 必须是映射。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not hosts, vars or children.</source>
        <translation>“%1”不是 hosts、vars 或 children。</translation>
    </message>
    <message>
        <source>the inventory must be a mapping of groups, usually starting with &quot;all:&quot;.</source>
        <translation>清单必须是由组构成的映射，通常以“all:”开头。</translation>
    </message>
    <message>
        <source>the YAML is not valid: %1</source>
        <translation>YAML 无效：%1</translation>
    </message>
    <message>
        <source>the inventory names more than %1 hosts.</source>
        <translation>清单中的主机超过 %1 台。</translation>
    </message>
    <message>
        <source>Split the inventory and import the parts one after another.</source>
        <translation>请拆分清单，逐部分导入。</translation>
    </message>
    <message>
        <source>the inventory names more than %1 groups.</source>
        <translation>清单中的组超过 %1 个。</translation>
    </message>
    <message>
        <source>the inventory expands to more than %1 entries.</source>
        <translation>清单展开后超过 %1 个条目。</translation>
    </message>
    <message>
        <source>YAML aliases (*name) that repeat whole groups can do this; write the groups out instead.</source>
        <translation>重复整个组的 YAML 别名（*name）会造成这种情况；请把组直接写出来。</translation>
    </message>
    <message>
        <source>the groups hold more than %1 hosts in all, counting each group a host is in.</source>
        <translation>按主机所在的每个组计数，各组合计超过 %1 台主机。</translation>
    </message>
</context>
<context>
    <name>BoundedFile</name>
    <message>
        <source>%1 %2 does not exist.</source>
        <translation>%1 %2 不存在。</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>请检查路径。</translation>
    </message>
    <message>
        <source>Could not read %1 %2: %3</source>
        <translation>无法读取%1 %2：%3</translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation>请检查其权限。</translation>
    </message>
    <message>
        <source>%1 %2 is larger than %3.</source>
        <translation>%1 %2 大于 %3。</translation>
    </message>
    <message>
        <source>Check that this is the file you meant; an inventory of thousands of servers is far smaller.</source>
        <translation>请确认这是您要的文件；即使包含数千台服务器的清单也远小于此。</translation>
    </message>
</context>
<context>
    <name>CliContext</name>
    <message>
        <source>The vault is not initialized.</source>
        <translation>保管库尚未初始化。</translation>
    </message>
    <message>
        <source>Create it first with: releasedesk-cli vault init</source>
        <translation>请先用以下命令创建：releasedesk-cli vault init</translation>
    </message>
    <message>
        <source>Master password</source>
        <translation>主密码</translation>
    </message>
    <message>
        <source>There is no key named &quot;%1&quot;.</source>
        <translation>不存在名为“%1”的密钥。</translation>
    </message>
    <message>
        <source>List the keys with: releasedesk-cli key list</source>
        <translation>用以下命令列出密钥：releasedesk-cli key list</translation>
    </message>
    <message>
        <source>There is no server named &quot;%1&quot;.</source>
        <translation>不存在名为“%1”的服务器。</translation>
    </message>
    <message>
        <source>List the servers with: releasedesk-cli server list</source>
        <translation>用以下命令列出服务器：releasedesk-cli server list</translation>
    </message>
    <message>
        <source>There is no project named &quot;%1&quot;.</source>
        <translation>不存在名为“%1”的项目。</translation>
    </message>
    <message>
        <source>List the projects with: releasedesk-cli project list</source>
        <translation>用以下命令列出项目：releasedesk-cli project list</translation>
    </message>
    <message>
        <source>&quot;%1&quot; does not name an environment.</source>
        <translation>“%1”不是有效的环境名。</translation>
    </message>
    <message>
        <source>Write it as PROJECT/ENV, for example shop/prod.</source>
        <translation>请写成 项目/环境 的形式，例如 shop/prod。</translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no environment named &quot;%2&quot;.</source>
        <translation>项目“%1”中没有名为“%2”的环境。</translation>
    </message>
    <message>
        <source>List them with: releasedesk-cli env list --project %1</source>
        <translation>用以下命令列出环境：releasedesk-cli env list --project %1</translation>
    </message>
    <message>
        <source>There is no hook template titled &quot;%1&quot;.</source>
        <translation>不存在标题为“%1”的钩子模板。</translation>
    </message>
    <message>
        <source>List them with: releasedesk-cli hook list</source>
        <translation>用以下命令列出钩子模板：releasedesk-cli hook list</translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is already taken by another %2.</source>
        <translation>名称“%1”已被另一个%2使用。</translation>
    </message>
    <message>
        <source>Choose another name.</source>
        <translation>请另选一个名称。</translation>
    </message>
    <message>
        <source>The %1 &quot;%2&quot; is not a whole number from %3 to %4.</source>
        <translation>%1 的值“%2”不是 %3 到 %4 之间的整数。</translation>
    </message>
    <message>
        <source>Give a number in that range.</source>
        <translation>请给出该范围内的数字。</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>Inventory directory (default: RELEASEDESK_HOME, else the user&apos;s data directory).</source>
        <translation>清单目录（默认：RELEASEDESK_HOME，否则为用户数据目录）。</translation>
    </message>
    <message>
        <source>DIR</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>Machine-readable JSON on stdout; errors as JSON on stderr.</source>
        <translation>在 stdout 输出机器可读的 JSON；错误以 JSON 形式输出到 stderr。</translation>
    </message>
    <message>
        <source>Read passwords as lines from stdin instead of prompting.</source>
        <translation>从 stdin 按行读取密码，而不是提示输入。</translation>
    </message>
    <message>
        <source>Show help; after a verb, that verb&apos;s help.</source>
        <translation>显示帮助；放在动作之后时显示该动作的帮助。</translation>
    </message>
    <message>
        <source>Usage: releasedesk-cli [--data-dir DIR] [--json] [--password-stdin] &lt;group&gt; &lt;verb&gt; [arguments]</source>
        <translation>用法：releasedesk-cli [--data-dir 目录] [--json] [--password-stdin] &lt;命令组&gt; &lt;动作&gt; [参数]</translation>
    </message>
    <message>
        <source>Manages the ReleaseDesk inventory without the GUI.</source>
        <translation>无需图形界面即可管理 ReleaseDesk 清单。</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>选项：</translation>
    </message>
    <message>
        <source>Commands:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <source>Passwords are never taken from arguments. The master password comes from RELEASEDESK_VAULT_PASSWORD, an export password from RELEASEDESK_EXPORT_PASSWORD, a new master password from RELEASEDESK_NEW_VAULT_PASSWORD; otherwise, with --password-stdin, one line each from stdin in the order asked; otherwise from a prompt on the terminal.</source>
        <translation>密码从不通过命令行参数传入。主密码取自 RELEASEDESK_VAULT_PASSWORD，导出密码取自 RELEASEDESK_EXPORT_PASSWORD，新的主密码取自 RELEASEDESK_NEW_VAULT_PASSWORD；如未设置，且指定了 --password-stdin，则按询问顺序从 stdin 每项读取一行；否则在终端上提示输入。</translation>
    </message>
    <message>
        <source>Exit codes:</source>
        <translation>退出码：</translation>
    </message>
    <message>
        <source>success</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>runtime failure (I/O, database)</source>
        <translation>运行时错误（I/O、数据库）</translation>
    </message>
    <message>
        <source>usage error (unknown command or option, missing argument)</source>
        <translation>用法错误（未知的命令或选项、缺少参数）</translation>
    </message>
    <message>
        <source>invalid input (validation failed; the message names the field and the rule)</source>
        <translation>输入无效（校验未通过；消息中会指出字段和规则）</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>vault locked, not initialized, or wrong password</source>
        <translation>保管库已锁定、未初始化或密码错误</translation>
    </message>
    <message>
        <source>refused: still in use (the users are listed) or name taken</source>
        <translation>被拒绝：仍在使用中（会列出使用者）或名称已被占用</translation>
    </message>
    <message>
        <source>Run releasedesk-cli &lt;group&gt; &lt;verb&gt; --help for the options of a verb.</source>
        <translation>运行 releasedesk-cli &lt;命令组&gt; &lt;动作&gt; --help 查看某个动作的选项。</translation>
    </message>
    <message>
        <source>Usage: releasedesk-cli %1 %2 %3</source>
        <translation>用法：releasedesk-cli %1 %2 %3</translation>
    </message>
    <message>
        <source>Run releasedesk-cli --help for the global options and the exit codes.</source>
        <translation>运行 releasedesk-cli --help 查看全局选项和退出码。</translation>
    </message>
    <message>
        <source>Unknown command &quot;%1&quot;.</source>
        <translation>未知命令“%1”。</translation>
    </message>
    <message>
        <source>Use one of: %1. See releasedesk-cli --help.</source>
        <translation>请使用以下之一：%1。参见 releasedesk-cli --help。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; needs a verb.</source>
        <translation>“%1”后面需要一个动作。</translation>
    </message>
    <message>
        <source>Unknown verb &quot;%1 %2&quot;.</source>
        <translation>未知动作“%1 %2”。</translation>
    </message>
    <message>
        <source>Use one of: %1.</source>
        <translation>请使用以下之一：%1。</translation>
    </message>
    <message>
        <source>See releasedesk-cli %1 %2 --help.</source>
        <translation>参见 releasedesk-cli %1 %2 --help。</translation>
    </message>
    <message>
        <source>Missing argument for &quot;%1 %2&quot;.</source>
        <translation>“%1 %2”缺少参数。</translation>
    </message>
    <message>
        <source>Too many arguments for &quot;%1 %2&quot;: %3.</source>
        <translation>“%1 %2”的参数过多：%3。</translation>
    </message>
    <message>
        <source>one or more servers failed (each one&apos;s error is listed)</source>
        <translation>一台或多台服务器失败（会逐台列出错误）</translation>
    </message>
</context>
<context>
    <name>CommitFiles</name>
    <message>
        <source>The commit %1 is not in the local mirror.</source>
        <translation>本地镜像中没有提交 %1。</translation>
    </message>
    <message>
        <source>Fetch the mirror first (mirror fetch), then build the package again.</source>
        <translation>请先拉取镜像（mirror fetch），然后重新构建发布包。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a full commit id.</source>
        <translation>“%1”不是完整的提交 ID。</translation>
    </message>
    <message>
        <source>Resolve the ref first.</source>
        <translation>请先解析该引用。</translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation>无法读取 %1 的目录树</translation>
    </message>
    <message>
        <source>The submodule %1 is not part of the package.</source>
        <translation>子模块 %1 不会包含在发布包中。</translation>
    </message>
    <message>
        <source>Could not read the files of %1</source>
        <translation>无法读取 %1 的文件</translation>
    </message>
    <message>
        <source>Could not read the attributes of %1</source>
        <translation>无法读取 %1 的属性</translation>
    </message>
    <message>
        <source>Could not create %1 in the work directory.</source>
        <translation>无法在工作目录中创建 %1。</translation>
    </message>
    <message>
        <source>Check the free space and permissions of %1.</source>
        <translation>请检查 %1 的剩余空间和权限。</translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation>无法从镜像读取 %1</translation>
    </message>
    <message>
        <source>Could not create the symlink %1: %2</source>
        <translation>无法创建符号链接 %1：%2</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Could not set the mode of %1.</source>
        <translation>无法设置 %1 的权限模式。</translation>
    </message>
    <message>
        <source>Do not release this commit; find out who pushed it.</source>
        <translation>不要发布此提交；请查明是谁推送了它。</translation>
    </message>
    <message>
        <source>Commit %1 has a tree entry &quot;%2&quot; that git never makes (&quot;..&quot;, &quot;.&quot;, &quot;.git&quot;, an empty name, a name with /, or a name twice): the repository was crafted to write outside the release.</source>
        <translation>提交 %1 含有 git 从不生成的目录树条目“%2”（“..”、“.”、“.git”、空名称、含 / 的名称，或重复的名称）：该仓库被刻意构造，企图写到发布目录之外。</translation>
    </message>
</context>
<context>
    <name>DataDir</name>
    <message>
        <source>Could not create the data directory %1.</source>
        <translation>无法创建数据目录 %1。</translation>
    </message>
    <message>
        <source>Choose another one with --data-dir or RELEASEDESK_HOME.</source>
        <translation>请用 --data-dir 或 RELEASEDESK_HOME 另选一个目录。</translation>
    </message>
</context>
<context>
    <name>EnvironmentCommands</name>
    <message>
        <source>The server %1 is listed twice.</source>
        <translation>服务器 %1 被列出了两次。</translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation>每台服务器在一个环境中只能出现一次。</translation>
    </message>
    <message>
        <source>environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>ENVIRONMENT</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>DEPLOY ROOT</source>
        <translation>部署根目录</translation>
    </message>
    <message>
        <source>STRATEGY</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>PARALLEL</source>
        <translation>并发数</translation>
    </message>
    <message>
        <source>SERVERS</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Deploy root</source>
        <translation>部署根目录</translation>
    </message>
    <message>
        <source>Shared paths</source>
        <translation>共享路径</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>并发数</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>&quot;%1&quot; does not name an environment.</source>
        <translation>“%1”不是有效的环境名。</translation>
    </message>
    <message>
        <source>Write it as PROJECT/ENV, for example shop/prod.</source>
        <translation>请写成 项目/环境 的形式，例如 shop/prod。</translation>
    </message>
    <message>
        <source>The environment needs a deploy root.</source>
        <translation>环境需要一个部署根目录。</translation>
    </message>
    <message>
        <source>Add --root, for example --root /srv/shop.</source>
        <translation>请加上 --root，例如 --root /srv/shop。</translation>
    </message>
    <message>
        <source>environment of this project</source>
        <translation>环境（同一项目内）</translation>
    </message>
    <message>
        <source>Added environment %1/%2.</source>
        <translation>已添加环境 %1/%2。</translation>
    </message>
    <message>
        <source>Saved environment %1.</source>
        <translation>已保存环境 %1。</translation>
    </message>
    <message>
        <source>Removed environment %1.</source>
        <translation>已删除环境 %1。</translation>
    </message>
    <message>
        <source>Saved the servers of %1.</source>
        <translation>已保存 %1 的服务器。</translation>
    </message>
    <message>
        <source>The server %1 is not in %2.</source>
        <translation>服务器 %1 不在 %2 中。</translation>
    </message>
    <message>
        <source>See its servers with: releasedesk-cli env show %1</source>
        <translation>用以下命令查看其服务器：releasedesk-cli env show %1</translation>
    </message>
    <message>
        <source>Absolute deploy root on the servers.</source>
        <translation>服务器上部署根目录的绝对路径。</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>A path kept across releases; repeat for more (replaces them).</source>
        <translation>在各版本间共享保留的路径；可重复指定多个（替换原有路径）。</translation>
    </message>
    <message>
        <source>P</source>
        <translation>P</translation>
    </message>
    <message>
        <source>Servers worked on at once (1-500, default 10).</source>
        <translation>同时处理的服务器数（1-500，默认 10）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>full, rolling, gray or patch (default full).</source>
        <translation>full（全量）、rolling（滚动）、gray（灰度）或 patch（补丁），默认 full。</translation>
    </message>
    <message>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <source>A server, in release order; repeat for more (replaces them).</source>
        <translation>服务器，按发布顺序；可重复指定多个（替换原有服务器）。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>New name.</source>
        <translation>新名称。</translation>
    </message>
    <message>
        <source>NEW</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>Environments: where a project is deployed, on which servers, in which order</source>
        <translation>环境：项目部署到哪里、哪些服务器上、按什么顺序</translation>
    </message>
    <message>
        <source>[--project P]</source>
        <translation>[--project P]</translation>
    </message>
    <message>
        <source>List the environments.</source>
        <translation>列出环境。</translation>
    </message>
    <message>
        <source>Only this project&apos;s.</source>
        <translation>只列出该项目的环境。</translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation>项目/环境</translation>
    </message>
    <message>
        <source>Show one environment.</source>
        <translation>显示一个环境。</translation>
    </message>
    <message>
        <source>PROJECT/ENV --root PATH [--shared P ...] [--parallelism N] [--strategy S] [--server NAME ...]</source>
        <translation>项目/环境 --root 路径 [--shared P ...] [--parallelism N] [--strategy S] [--server 名称 ...]</translation>
    </message>
    <message>
        <source>Add an environment to a project.</source>
        <translation>为项目添加一个环境。</translation>
    </message>
    <message>
        <source>PROJECT/ENV [the options of add] [--name NEW]</source>
        <translation>项目/环境 [add 的选项] [--name 新名称]</translation>
    </message>
    <message>
        <source>Change an environment; options not given stay as they are.</source>
        <translation>修改环境；未指定的选项保持不变。</translation>
    </message>
    <message>
        <source>Remove an environment (its servers stay).</source>
        <translation>删除环境（其中的服务器保留）。</translation>
    </message>
    <message>
        <source>PROJECT/ENV SERVER... [--position N]</source>
        <translation>项目/环境 服务器... [--position N]</translation>
    </message>
    <message>
        <source>Add servers to the release order, at the end or at position N (1 is first); servers already in it move there.</source>
        <translation>将服务器加入发布顺序，放在末尾或第 N 位（1 为第一位）；已在其中的服务器会移到该位置。</translation>
    </message>
    <message>
        <source>Where to insert them, 1 being first.</source>
        <translation>插入位置，1 为第一位。</translation>
    </message>
    <message>
        <source>PROJECT/ENV SERVER...</source>
        <translation>项目/环境 服务器...</translation>
    </message>
    <message>
        <source>Take servers out of an environment.</source>
        <translation>将服务器移出环境。</translation>
    </message>
</context>
<context>
    <name>FleetCommands</name>
    <message>
        <source>DRIFT</source>
        <translation>漂移</translation>
    </message>
    <message>
        <source>%1 (%2 s)</source>
        <translation>%1（%2 秒）</translation>
    </message>
    <message>
        <source>%1 has no enabled servers.</source>
        <translation>%1 没有已启用的服务器。</translation>
    </message>
    <message>
        <source>Add servers to it with: releasedesk-cli env assign %1 SERVER...</source>
        <translation>用以下命令为它添加服务器：releasedesk-cli env assign %1 SERVER...</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Released</source>
        <translation>发布时间</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Drift</source>
        <translation>漂移</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>%1 of %2 servers could not be read.</source>
        <translation>%2 台服务器中有 %1 台无法读取。</translation>
    </message>
    <message>
        <source>Each server&apos;s error is listed above; the others were read.</source>
        <translation>每台服务器的错误列在上方；其余服务器已读取。</translation>
    </message>
    <message>
        <source>%1 of %2 servers do not run %3.</source>
        <translation>%2 台服务器中有 %1 台未运行 %3。</translation>
    </message>
    <message>
        <source>Release %1 again, or roll back, to bring them in line.</source>
        <translation>请重新发布 %1 或回滚，使它们保持一致。</translation>
    </message>
    <message>
        <source>PROJECT ENV</source>
        <translation>项目 环境</translation>
    </message>
    <message>
        <source>The release each server runs, and which ones drift (exit 6 on drift, 7 when a server cannot be read).</source>
        <translation>每台服务器运行的版本，以及哪些发生漂移（漂移时退出码 6，服务器无法读取时退出码 7）。</translation>
    </message>
    <message>
        <source>The release every server should run (default: the last successful task&apos;s, else the newest on any server).</source>
        <translation>每台服务器应运行的版本（默认：最近一次成功任务的版本，否则取任一服务器上最新的版本）。</translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation>版本</translation>
    </message>
</context>
<context>
    <name>FleetReading</name>
    <message>
        <source>server #%1</source>
        <translation>服务器 #%1</translation>
    </message>
</context>
<context>
    <name>GitChanges</name>
    <message>
        <source>&quot;%1&quot; is not a full commit id</source>
        <translation>“%1”不是完整的提交 ID</translation>
    </message>
    <message>
        <source>Could not read the commit %1</source>
        <translation>无法读取提交 %1</translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation>无法读取 %1 的目录树</translation>
    </message>
    <message>
        <source>Could not walk the history</source>
        <translation>无法遍历提交历史</translation>
    </message>
    <message>
        <source>Could not read a commit</source>
        <translation>无法读取某个提交</translation>
    </message>
    <message>
        <source>Could not compare %1 with %2</source>
        <translation>无法比较 %1 与 %2</translation>
    </message>
    <message>
        <source>Could not detect renamed files</source>
        <translation>无法检测重命名的文件</translation>
    </message>
    <message>
        <source>The number of commits must be at least 1.</source>
        <translation>提交数至少为 1。</translation>
    </message>
</context>
<context>
    <name>GitCommands</name>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation>项目“%1”还没有本地镜像。</translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation>请先拉取：releasedesk-cli mirror fetch %1</translation>
    </message>
    <message>
        <source>The key %1 is disabled.</source>
        <translation>密钥 %1 已停用。</translation>
    </message>
    <message>
        <source>Enable it or choose another key.</source>
        <translation>请启用它，或选择另一个密钥。</translation>
    </message>
    <message>
        <source>Receiving objects: %1/%2, %3</source>
        <translation>正在接收对象：%1/%2，%3</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s, then run the fetch again with --accept-new-host-key.</source>
        <translation>请将该指纹与服务器上的指纹比对，然后加上 --accept-new-host-key 重新拉取。</translation>
    </message>
    <message>
        <source>Cloned %1 into %2: %3 refs.</source>
        <translation>已将 %1 克隆到 %2：%3 个引用。</translation>
    </message>
    <message>
        <source>Fetched %1 into %2: %3 refs changed.</source>
        <translation>已将 %1 拉取到 %2：%3 个引用有变化。</translation>
    </message>
    <message>
        <source>new %1</source>
        <translation>新增 %1</translation>
    </message>
    <message>
        <source>deleted (was %1)</source>
        <translation>已删除（原为 %1）</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Renamed from</source>
        <translation>重命名自</translation>
    </message>
    <message>
        <source>From %1 to %2: %3 commit(s) going out, %4 taken back, %5 file(s) changed.</source>
        <translation>从 %1 到 %2：发出 %3 个提交，撤回 %4 个，改动 %5 个文件。</translation>
    </message>
    <message>
        <source>(commits cut at --limit)</source>
        <translation>（提交列表已按 --limit 截断）</translation>
    </message>
    <message>
        <source>At most N commits (default %1).</source>
        <translation>最多 N 个提交（默认 %1）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Local mirrors of the projects&apos; git repositories</source>
        <translation>项目 git 仓库的本地镜像</translation>
    </message>
    <message>
        <source>PROJECT [--key NAME | --key-file PATH | --agent] [--user NAME] [--accept-new-host-key] [--quiet]</source>
        <translation>项目 [--key 名称 | --key-file 路径 | --agent] [--user 名称] [--accept-new-host-key] [--quiet]</translation>
    </message>
    <message>
        <source>Clone the project&apos;s repository into its mirror, or fetch every branch and tag into it; refs deleted upstream are pruned. Ctrl-C cancels.</source>
        <translation>将项目仓库克隆到其镜像中，或将所有分支和标签拉取到镜像中；上游已删除的引用会被清除。按 Ctrl-C 取消。</translation>
    </message>
    <message>
        <source>Sign in to an ssh remote with this inventory key.</source>
        <translation>使用清单中的这个密钥登录 ssh 远程仓库。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Sign in to an ssh remote with this private key file.</source>
        <translation>使用这个私钥文件登录 ssh 远程仓库。</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Sign in to an ssh remote through ssh-agent.</source>
        <translation>通过 ssh-agent 登录 ssh 远程仓库。</translation>
    </message>
    <message>
        <source>The ssh user when the URL names none (default: the key&apos;s user).</source>
        <translation>URL 中未指定用户时使用的 ssh 用户（默认：密钥的用户）。</translation>
    </message>
    <message>
        <source>Trust and remember the ssh host key on first contact (a changed key is always refused).</source>
        <translation>首次连接时信任并记住 ssh 主机密钥（已变更的密钥始终会被拒绝）。</translation>
    </message>
    <message>
        <source>No progress on stderr.</source>
        <translation>不在 stderr 上显示进度。</translation>
    </message>
    <message>
        <source>Branches, tags and commits of a project&apos;s mirror (no network)</source>
        <translation>项目镜像中的分支、标签和提交（无需联网）</translation>
    </message>
    <message>
        <source>PROJECT</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>List the branches with their commit and date.</source>
        <translation>列出分支及其提交和日期。</translation>
    </message>
    <message>
        <source>List the tags, newest first: annotated ones with the tagger&apos;s date, lightweight ones with the commit&apos;s.</source>
        <translation>列出标签，最新的在前：附注标签显示打标签的日期，轻量标签显示提交的日期。</translation>
    </message>
    <message>
        <source>PROJECT [REF] [--limit N]</source>
        <translation>项目 [引用] [--limit N]</translation>
    </message>
    <message>
        <source>The latest commits of REF (default: the project&apos;s default branch).</source>
        <translation>引用的最新提交（默认：项目的默认分支）。</translation>
    </message>
    <message>
        <source>PROJECT REF</source>
        <translation>项目 引用</translation>
    </message>
    <message>
        <source>The full commit id of a branch, tag, short id or full id.</source>
        <translation>分支、标签、短 ID 或完整 ID 对应的完整提交 ID。</translation>
    </message>
    <message>
        <source>What a release from BASE to TARGET sends out (no network)</source>
        <translation>从 基准 发布到 目标 时会发出哪些内容（无需联网）</translation>
    </message>
    <message>
        <source>PROJECT BASE TARGET [--limit N]</source>
        <translation>项目 基准 目标 [--limit N]</translation>
    </message>
    <message>
        <source>The commits going out (+) and taken back (-), and the changed files.</source>
        <translation>发出（+）和撤回（-）的提交，以及改动的文件。</translation>
    </message>
    <message>
        <source>Only the commits going out (+) and taken back (-).</source>
        <translation>只显示发出（+）和撤回（-）的提交。</translation>
    </message>
    <message>
        <source>PROJECT BASE TARGET</source>
        <translation>项目 基准 目标</translation>
    </message>
    <message>
        <source>Only the changed files: added, modified, deleted, renamed (with rename detection).</source>
        <translation>只显示改动的文件：新增、修改、删除、重命名（带重命名检测）。</translation>
    </message>
</context>
<context>
    <name>GitMirror</name>
    <message>
        <source>The fetch of %1 was cancelled.</source>
        <translation>%1 的拉取已取消。</translation>
    </message>
    <message>
        <source>%1 asks for a user name and password.</source>
        <translation>%1 要求输入用户名和密码。</translation>
    </message>
    <message>
        <source>ReleaseDesk fetches over https only from repositories that need no sign-in; use the repository&apos;s ssh URL with a key instead.</source>
        <translation>ReleaseDesk 只能通过 https 从无需登录的仓库拉取；请改用仓库的 ssh 地址并配合密钥。</translation>
    </message>
    <message>
        <source>No user name to sign in to %1.</source>
        <translation>没有用于登录 %1 的用户名。</translation>
    </message>
    <message>
        <source>Put the user in the URL (ssh://git@host/path) or choose a key with a user name.</source>
        <translation>请在 URL 中写明用户（ssh://git@host/path），或选择一个带用户名的密钥。</translation>
    </message>
    <message>
        <source>the stored key</source>
        <translation>存储的密钥</translation>
    </message>
    <message>
        <source>the key file %1</source>
        <translation>密钥文件 %1</translation>
    </message>
    <message>
        <source>ssh-agent</source>
        <translation>ssh-agent</translation>
    </message>
    <message>
        <source>No key to sign in to %1 as %2.</source>
        <translation>没有以 %2 身份登录 %1 所用的密钥。</translation>
    </message>
    <message>
        <source>Choose a key from the inventory, a key file, or ssh-agent.</source>
        <translation>请选择清单中的密钥、密钥文件或 ssh-agent。</translation>
    </message>
    <message>
        <source>Authentication to %1 as %2 failed (tried %3).</source>
        <translation>以 %2 身份在 %1 上认证失败（已尝试：%3）。</translation>
    </message>
    <message>
        <source>Check that the key&apos;s public half is in the server&apos;s authorized_keys for that user, and that the user name is right.</source>
        <translation>请确认密钥的公钥已写入服务器上该用户的 authorized_keys，并且用户名正确。</translation>
    </message>
    <message>
        <source>The SSH library did not show the host key of %1.</source>
        <translation>SSH 库没有提供 %1 的主机密钥。</translation>
    </message>
    <message>
        <source>This build of libgit2 cannot check host keys; fetch over https or from a local path.</source>
        <translation>当前构建的 libgit2 无法校验主机密钥；请通过 https 或从本地路径拉取。</translation>
    </message>
    <message>
        <source>No known hosts file to check the host key of %1 against.</source>
        <translation>没有可用于校验 %1 主机密钥的 known_hosts 文件。</translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk&apos;s known hosts.</source>
        <translation>%1 的主机密钥（%2 %3）在 ReleaseDesk 的 known_hosts 中被标记为已吊销。</translation>
    </message>
    <message>
        <source>Do not fetch from it until the server has a new key.</source>
        <translation>在服务器换上新密钥之前，请不要从它拉取。</translation>
    </message>
    <message>
        <source>The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). The fetch was refused: someone may be intercepting it.</source>
        <translation>%1 的主机密钥已变更！已保存：%2。当前提供：%3（%4）。拉取已被拒绝：可能有人正在拦截该连接。</translation>
    </message>
    <message>
        <source>If the server&apos;s keys were rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then forget the stored key and fetch again.</source>
        <translation>如果服务器轮换过密钥，请在服务器上核对新的指纹（ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub），然后删除已保存的密钥并重新拉取。</translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is not known and was not accepted.</source>
        <translation>%1 的主机密钥（%2 %3）未登记，且未被接受。</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s and accept it.</source>
        <translation>请将该指纹与服务器上的指纹比对后再接受。</translation>
    </message>
    <message>
        <source>Fetching %1 failed: %2</source>
        <translation>拉取 %1 失败：%2</translation>
    </message>
    <message>
        <source>Check the key and the user name, and that the server accepts the key.</source>
        <translation>请检查密钥和用户名，并确认服务器接受该密钥。</translation>
    </message>
    <message>
        <source>The URL does not point to a git repository: check the path in the project&apos;s git URL.</source>
        <translation>该 URL 指向的不是 git 仓库：请检查项目 git 地址中的路径。</translation>
    </message>
    <message>
        <source>The server could not be reached: check the host name, the port, the network and any proxy.</source>
        <translation>无法连接服务器：请检查主机名、端口、网络以及代理设置。</translation>
    </message>
    <message>
        <source>The server&apos;s TLS certificate was not accepted: check the system&apos;s trusted certificates.</source>
        <translation>服务器的 TLS 证书未被接受：请检查系统信任的证书。</translation>
    </message>
    <message>
        <source>Fetching %1 failed: there is no such folder.</source>
        <translation>拉取 %1 失败：该目录不存在。</translation>
    </message>
    <message>
        <source>The key file %1 does not exist or cannot be read.</source>
        <translation>密钥文件 %1 不存在或无法读取。</translation>
    </message>
    <message>
        <source>Check the key&apos;s path and its permissions.</source>
        <translation>请检查密钥的路径及其权限。</translation>
    </message>
    <message>
        <source>Could not create the folder for the mirror %1.</source>
        <translation>无法为镜像 %1 创建目录。</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>Could not create the mirror %1</source>
        <translation>无法创建镜像 %1</translation>
    </message>
    <message>
        <source>Could not open the mirror %1</source>
        <translation>无法打开镜像 %1</translation>
    </message>
    <message>
        <source>Delete the folder and fetch again to rebuild the mirror.</source>
        <translation>请删除该目录并重新拉取，以重建镜像。</translation>
    </message>
    <message>
        <source>Could not set up the remote of the mirror %1</source>
        <translation>无法设置镜像 %1 的远程仓库</translation>
    </message>
    <message>
        <source>Could not read the remote of the mirror %1</source>
        <translation>无法读取镜像 %1 的远程仓库</translation>
    </message>
    <message>
        <source>Could not change the URL of the mirror %1</source>
        <translation>无法修改镜像 %1 的 URL</translation>
    </message>
    <message>
        <source>Could not point the mirror&apos;s HEAD at %1</source>
        <translation>无法将镜像的 HEAD 指向 %1</translation>
    </message>
    <message>
        <source>Could not move the new mirror into place at %1.</source>
        <translation>无法将新镜像移动到 %1。</translation>
    </message>
    <message>
        <source>Another fetch may have created it meanwhile; fetch again.</source>
        <translation>可能有另一次拉取在此期间创建了它；请重新拉取。</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then accept it in the window, or add it with ssh-keyscan and releasedesk-cli hostkeys import.</source>
        <translation>请将指纹与服务器上的比对（ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub），然后在窗口中接受它，或用 ssh-keyscan 和 releasedesk-cli hostkeys import 添加。</translation>
    </message>
    <message>
        <source>ReleaseDesk knows another key of this server (%1); the git library asked for this type.</source>
        <translation>ReleaseDesk 已知该服务器的另一个密钥（%1）；git 库请求的是这种类型。</translation>
    </message>
</context>
<context>
    <name>GitRefs</name>
    <message>
        <source>There is no git repository at %1.</source>
        <translation>%1 处没有 git 仓库。</translation>
    </message>
    <message>
        <source>Fetch the project&apos;s mirror first.</source>
        <translation>请先拉取项目的镜像。</translation>
    </message>
    <message>
        <source>Could not open the repository %1</source>
        <translation>无法打开仓库 %1</translation>
    </message>
    <message>
        <source>Could not list the branches of %1</source>
        <translation>无法列出 %1 的分支</translation>
    </message>
    <message>
        <source>Could not read a branch of %1</source>
        <translation>无法读取 %1 的某个分支</translation>
    </message>
    <message>
        <source>Could not list the tags of %1</source>
        <translation>无法列出 %1 的标签</translation>
    </message>
    <message>
        <source>No ref was given.</source>
        <translation>没有给出引用。</translation>
    </message>
    <message>
        <source>Give a branch, a tag or a commit id.</source>
        <translation>请给出分支、标签或提交 ID。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid ref.</source>
        <translation>“%1”不是有效的引用。</translation>
    </message>
    <message>
        <source>The short id &quot;%1&quot; matches more than one object in %2.</source>
        <translation>短 ID“%1”在 %2 中匹配到多个对象。</translation>
    </message>
    <message>
        <source>Give more characters of the commit id.</source>
        <translation>请给出更多位的提交 ID。</translation>
    </message>
    <message>
        <source>There is no branch, tag or commit &quot;%1&quot; in %2.</source>
        <translation>%2 中没有分支、标签或提交“%1”。</translation>
    </message>
    <message>
        <source>Check the spelling (list them with &quot;refs branches&quot; and &quot;refs tags&quot;), or fetch the mirror if it is new upstream.</source>
        <translation>请检查拼写（可用“refs branches”和“refs tags”列出），如果它是上游新加的，请先拉取镜像。</translation>
    </message>
    <message>
        <source>Could not resolve &quot;%1&quot; in %2</source>
        <translation>无法在 %2 中解析“%1”</translation>
    </message>
    <message>
        <source>&quot;%1&quot; in %2 is a %3, not a commit.</source>
        <translation>%2 中的“%1”是 %3，不是提交。</translation>
    </message>
    <message>
        <source>The number of commits must be at least 1.</source>
        <translation>提交数至少为 1。</translation>
    </message>
    <message>
        <source>Could not walk the history of %1</source>
        <translation>无法遍历 %1 的提交历史</translation>
    </message>
</context>
<context>
    <name>HookCommands</name>
    <message>
        <source>The title &quot;%1&quot; is already taken.</source>
        <translation>标题“%1”已被使用。</translation>
    </message>
    <message>
        <source>Choose another title.</source>
        <translation>请另选一个标题。</translation>
    </message>
    <message>
        <source>The stage &quot;%1&quot; is unknown.</source>
        <translation>未知阶段“%1”。</translation>
    </message>
    <message>
        <source>Choose before-download, after-download, before-release or after-release.</source>
        <translation>请选择 before-download、after-download、before-release 或 after-release。</translation>
    </message>
    <message>
        <source>--script and --script-file contradict each other.</source>
        <translation>--script 和 --script-file 不能同时使用。</translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation>请只指定其中一个。</translation>
    </message>
    <message>
        <source>The script file %1 could not be read: %2</source>
        <translation>无法读取脚本文件 %1：%2</translation>
    </message>
    <message>
        <source>Check the path and its permissions.</source>
        <translation>请检查路径及其权限。</translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>STAGE</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>SCRIPT</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>The template needs a stage.</source>
        <translation>模板需要指定阶段。</translation>
    </message>
    <message>
        <source>Add --stage before-download, after-download, before-release or after-release.</source>
        <translation>请加上 --stage before-download、after-download、before-release 或 after-release。</translation>
    </message>
    <message>
        <source>The template needs a script.</source>
        <translation>模板需要脚本。</translation>
    </message>
    <message>
        <source>Add --script TEXT or --script-file FILE.</source>
        <translation>请加上 --script 文本 或 --script-file 文件。</translation>
    </message>
    <message>
        <source>Added hook template &quot;%1&quot;.</source>
        <translation>已添加钩子模板“%1”。</translation>
    </message>
    <message>
        <source>Saved hook template &quot;%1&quot;.</source>
        <translation>已保存钩子模板“%1”。</translation>
    </message>
    <message>
        <source>Removed hook template &quot;%1&quot;.</source>
        <translation>已删除钩子模板“%1”。</translation>
    </message>
    <message>
        <source>before-download, after-download, before-release or after-release.</source>
        <translation>before-download、after-download、before-release 或 after-release。</translation>
    </message>
    <message>
        <source>The shell script.</source>
        <translation>Shell 脚本。</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Read the shell script from a file.</source>
        <translation>从文件读取 Shell 脚本。</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>New title.</source>
        <translation>新标题。</translation>
    </message>
    <message>
        <source>NEW</source>
        <translation>新标题</translation>
    </message>
    <message>
        <source>Hook templates: shell scripts run at a stage of a release</source>
        <translation>钩子模板：在发布的某个阶段运行的 Shell 脚本</translation>
    </message>
    <message>
        <source>List the hook templates.</source>
        <translation>列出钩子模板。</translation>
    </message>
    <message>
        <source>Show one template with its script.</source>
        <translation>显示一个模板及其脚本。</translation>
    </message>
    <message>
        <source>TITLE --stage STAGE (--script TEXT | --script-file F)</source>
        <translation>标题 --stage 阶段 (--script 文本 | --script-file F)</translation>
    </message>
    <message>
        <source>Add a hook template.</source>
        <translation>添加钩子模板。</translation>
    </message>
    <message>
        <source>TITLE [--stage STAGE] [--script TEXT | --script-file F] [--title NEW]</source>
        <translation>标题 [--stage 阶段] [--script 文本 | --script-file F] [--title 新标题]</translation>
    </message>
    <message>
        <source>Change a template; options not given stay as they are.</source>
        <translation>修改模板；未指定的选项保持不变。</translation>
    </message>
    <message>
        <source>Remove a hook template.</source>
        <translation>删除钩子模板。</translation>
    </message>
</context>
<context>
    <name>InventoryStore</name>
    <message>
        <source>The inventory database could not %1: %2</source>
        <translation>清单数据库无法%1：%2</translation>
    </message>
    <message>
        <source>Check that the data directory is writable and the disk is not full.</source>
        <translation>请检查数据目录是否可写、磁盘是否已满。</translation>
    </message>
    <message>
        <source>be read</source>
        <translation>读取</translation>
    </message>
    <message>
        <source>There is no %1 with id %2.</source>
        <translation>不存在 ID 为 %2 的%1。</translation>
    </message>
    <message>
        <source>List them to see which ones exist.</source>
        <translation>请列出它们，查看有哪些存在。</translation>
    </message>
    <message>
        <source>Could not create the data directory %1.</source>
        <translation>无法创建数据目录 %1。</translation>
    </message>
    <message>
        <source>Choose another one with --data-dir or RELEASEDESK_HOME.</source>
        <translation>请用 --data-dir 或 RELEASEDESK_HOME 另选一个目录。</translation>
    </message>
    <message>
        <source>Could not create the inventory database %1: %2</source>
        <translation>无法创建清单数据库 %1：%2</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>Could not open the inventory database %1: %2</source>
        <translation>无法打开清单数据库 %1：%2</translation>
    </message>
    <message>
        <source>Check that it is a ReleaseDesk database and that its directory is writable.</source>
        <translation>请确认它是 ReleaseDesk 数据库，并且所在目录可写。</translation>
    </message>
    <message>
        <source>be configured</source>
        <translation>完成配置</translation>
    </message>
    <message>
        <source>The inventory database %1 could not be read.</source>
        <translation>无法读取清单数据库 %1。</translation>
    </message>
    <message>
        <source>The inventory database was written by a newer ReleaseDesk (schema %1, this one knows %2).</source>
        <translation>清单数据库由更新版本的 ReleaseDesk 写入（结构版本 %1，本版本只支持到 %2）。</translation>
    </message>
    <message>
        <source>Upgrade ReleaseDesk, or point --data-dir at another directory.</source>
        <translation>请升级 ReleaseDesk，或用 --data-dir 指向另一个目录。</translation>
    </message>
    <message>
        <source>be upgraded</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>The inventory was written from a worker thread.</source>
        <translation>有工作线程试图写入清单。</translation>
    </message>
    <message>
        <source>This is a bug in ReleaseDesk: only the thread that opened the inventory may write it.</source>
        <translation>这是 ReleaseDesk 的缺陷：只有打开清单的线程才能写入清单。</translation>
    </message>
    <message>
        <source>key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>A key named &quot;%1&quot; already exists.</source>
        <translation>名为“%1”的密钥已存在。</translation>
    </message>
    <message>
        <source>Choose another name.</source>
        <translation>请另选一个名称。</translation>
    </message>
    <message>
        <source>save the key</source>
        <translation>保存密钥</translation>
    </message>
    <message>
        <source>The key is still used by: %1.</source>
        <translation>该密钥仍被以下对象使用：%1。</translation>
    </message>
    <message>
        <source>Give those servers another key first, then remove this one.</source>
        <translation>请先为这些服务器换用其他密钥，再删除此密钥。</translation>
    </message>
    <message>
        <source>remove the key</source>
        <translation>删除密钥</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>A server named &quot;%1&quot; already exists.</source>
        <translation>名为“%1”的服务器已存在。</translation>
    </message>
    <message>
        <source>The server&apos;s key (id %1) does not exist.</source>
        <translation>服务器所用的密钥（ID %1）不存在。</translation>
    </message>
    <message>
        <source>Choose one of the stored keys.</source>
        <translation>请从已保存的密钥中选择一个。</translation>
    </message>
    <message>
        <source>save the server</source>
        <translation>保存服务器</translation>
    </message>
    <message>
        <source>The server is still used by: %1.</source>
        <translation>该服务器仍被以下对象使用：%1。</translation>
    </message>
    <message>
        <source>Remove it from those environments first, then remove it.</source>
        <translation>请先将它从这些环境中移除，再删除它。</translation>
    </message>
    <message>
        <source>remove the server</source>
        <translation>删除服务器</translation>
    </message>
    <message>
        <source>project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>A project named &quot;%1&quot; already exists.</source>
        <translation>名为“%1”的项目已存在。</translation>
    </message>
    <message>
        <source>save the project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <source>remove the project</source>
        <translation>删除项目</translation>
    </message>
    <message>
        <source>environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; already has an environment named &quot;%2&quot;.</source>
        <translation>项目“%1”中已有名为“%2”的环境。</translation>
    </message>
    <message>
        <source>save the environment</source>
        <translation>保存环境</translation>
    </message>
    <message>
        <source>remove the environment</source>
        <translation>删除环境</translation>
    </message>
    <message>
        <source>A server is listed twice.</source>
        <translation>有服务器被列出了两次。</translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation>每台服务器在一个环境中只能出现一次。</translation>
    </message>
    <message>
        <source>There is no server with id %1.</source>
        <translation>不存在 ID 为 %1 的服务器。</translation>
    </message>
    <message>
        <source>List the servers to see which ones exist.</source>
        <translation>请列出服务器，查看有哪些存在。</translation>
    </message>
    <message>
        <source>save the environment&apos;s servers</source>
        <translation>保存环境的服务器</translation>
    </message>
    <message>
        <source>hook template</source>
        <translation>钩子模板</translation>
    </message>
    <message>
        <source>A hook template titled &quot;%1&quot; already exists.</source>
        <translation>标题为“%1”的钩子模板已存在。</translation>
    </message>
    <message>
        <source>Choose another title.</source>
        <translation>请另选一个标题。</translation>
    </message>
    <message>
        <source>save the hook template</source>
        <translation>保存钩子模板</translation>
    </message>
    <message>
        <source>remove the hook template</source>
        <translation>删除钩子模板</translation>
    </message>
    <message>
        <source>server %1</source>
        <translation>服务器 %1</translation>
    </message>
    <message>
        <source>environment %1/%2</source>
        <translation>环境 %1/%2</translation>
    </message>
    <message>
        <source>save the vault</source>
        <translation>保存保管库</translation>
    </message>
    <message>
        <source>Unknown secret column %1.%2.</source>
        <translation>未知的机密列 %1.%2。</translation>
    </message>
    <message>
        <source>start a transaction</source>
        <translation>开始事务</translation>
    </message>
    <message>
        <source>undo the change</source>
        <translation>撤销更改</translation>
    </message>
    <message>
        <source>save the change</source>
        <translation>保存更改</translation>
    </message>
</context>
<context>
    <name>JsonInventory</name>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation>字符串列表</translation>
    </message>
    <message>
        <source>%1 must be %2.</source>
        <translation>%1 必须是%2。</translation>
    </message>
    <message>
        <source>%1: the field &quot;%2&quot; must be %3.</source>
        <translation>%1：字段“%2”必须是%3。</translation>
    </message>
    <message>
        <source>Correct the file, or export it again from ReleaseDesk.</source>
        <translation>请修改该文件，或从 ReleaseDesk 重新导出。</translation>
    </message>
    <message>
        <source>%1 is not valid: %2</source>
        <translation>%1 无效：%2</translation>
    </message>
    <message>
        <source>%1 refers to the %2 &quot;%3&quot;, which is neither in the file nor in the inventory.</source>
        <translation>%1 引用了%2“%3”，但文件和清单中都没有它。</translation>
    </message>
    <message>
        <source>Add the %1 to the file or to the inventory first.</source>
        <translation>请先将该%1添加到文件或清单中。</translation>
    </message>
    <message>
        <source>The field &quot;%1&quot; must be a list.</source>
        <translation>字段“%1”必须是列表。</translation>
    </message>
    <message>
        <source>%1 repeats a name that appears earlier in the file.</source>
        <translation>%1 与文件中前面的条目重名。</translation>
    </message>
    <message>
        <source>Keep one entry per name.</source>
        <translation>每个名称只保留一个条目。</translation>
    </message>
    <message>
        <source>The field &quot;secrets&quot; must be a base64 string.</source>
        <translation>字段“secrets”必须是 base64 字符串。</translation>
    </message>
    <message>
        <source>Export the inventory again from ReleaseDesk.</source>
        <translation>请从 ReleaseDesk 重新导出清单。</translation>
    </message>
    <message>
        <source>The file holds encrypted private keys, and no export password was given.</source>
        <translation>文件中含有加密的私钥，但未提供导出密码。</translation>
    </message>
    <message>
        <source>Enter the password that was chosen when the file was exported.</source>
        <translation>请输入导出该文件时设置的密码。</translation>
    </message>
    <message>
        <source>The file holds encrypted private keys, and the vault is locked.</source>
        <translation>文件中含有加密的私钥，但保管库已锁定。</translation>
    </message>
    <message>
        <source>Unlock the vault with the master password, then import again.</source>
        <translation>请用主密码解锁保管库，然后重新导入。</translation>
    </message>
    <message>
        <source>The field &quot;secrets&quot; is not valid base64.</source>
        <translation>字段“secrets”不是有效的 base64。</translation>
    </message>
    <message>
        <source>The encrypted private keys could not be opened: %1</source>
        <translation>无法解开加密的私钥：%1</translation>
    </message>
    <message>
        <source>Check the export password; nothing was imported.</source>
        <translation>请检查导出密码；未导入任何内容。</translation>
    </message>
    <message>
        <source>The encrypted private keys are not in the expected form.</source>
        <translation>加密私钥的格式不符合预期。</translation>
    </message>
    <message>
        <source>The encrypted secrets of key &quot;%1&quot; hold no private key.</source>
        <translation>密钥“%1”的加密机密中没有私钥。</translation>
    </message>
    <message>
        <source>The private key of &quot;%1&quot; could not be opened: %2</source>
        <translation>无法解开“%1”的私钥：%2</translation>
    </message>
    <message>
        <source>The passphrase of &quot;%1&quot; could not be opened: %2</source>
        <translation>无法解开“%1”的口令：%2</translation>
    </message>
    <message>
        <source>Key &quot;%1&quot; was exported with its public key only: its private key needs an unlocked vault and an export password.</source>
        <translation>密钥“%1”导出时只包含公钥：导出私钥需要已解锁的保管库和导出密码。</translation>
    </message>
    <message>
        <source>The file is not valid JSON: %1 at offset %2.</source>
        <translation>文件不是有效的 JSON：%1（偏移量 %2）。</translation>
    </message>
    <message>
        <source>Choose a file exported by ReleaseDesk, or correct the JSON near that offset.</source>
        <translation>请选择由 ReleaseDesk 导出的文件，或修改该偏移量附近的 JSON。</translation>
    </message>
    <message>
        <source>The file is not a ReleaseDesk inventory (its &quot;format&quot; is not &quot;%1&quot;).</source>
        <translation>该文件不是 ReleaseDesk 清单（其“format”不是“%1”）。</translation>
    </message>
    <message>
        <source>Choose a file exported by ReleaseDesk.</source>
        <translation>请选择由 ReleaseDesk 导出的文件。</translation>
    </message>
    <message>
        <source>The inventory file has version %1; this ReleaseDesk reads version %2.</source>
        <translation>清单文件的版本为 %1；本版本的 ReleaseDesk 读取的是版本 %2。</translation>
    </message>
    <message>
        <source>Export it again with this version of ReleaseDesk, or upgrade ReleaseDesk.</source>
        <translation>请用此版本的 ReleaseDesk 重新导出，或升级 ReleaseDesk。</translation>
    </message>
    <message>
        <source>%1 has the unknown kind &quot;%2&quot;.</source>
        <translation>%1 的类型“%2”未知。</translation>
    </message>
    <message>
        <source>Use stored, file or agent.</source>
        <translation>请使用 stored、file 或 agent。</translation>
    </message>
    <message>
        <source>%1 has the unknown stage &quot;%2&quot;.</source>
        <translation>%1 的阶段“%2”未知。</translation>
    </message>
    <message>
        <source>Use before-download, after-download, before-release or after-release.</source>
        <translation>请使用 before-download、after-download、before-release 或 after-release。</translation>
    </message>
    <message>
        <source>Key &quot;%1&quot; was skipped: the file carries no private key for it.</source>
        <translation>已跳过密钥“%1”：文件中没有它的私钥。</translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; was imported without a key: its key &quot;%2&quot; was skipped.</source>
        <translation>服务器“%1”已导入，但没有密钥：它的密钥“%2”已被跳过。</translation>
    </message>
    <message>
        <source>key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>The field &quot;%1&quot; has %2 entries, more than the %3 an import takes.</source>
        <translation>字段“%1”有 %2 个条目，超过一次导入所能接受的 %3 个。</translation>
    </message>
    <message>
        <source>Split the file and import the parts one after another.</source>
        <translation>请拆分文件，逐部分导入。</translation>
    </message>
</context>
<context>
    <name>KeyCommands</name>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>请检查路径。</translation>
    </message>
    <message>
        <source>The file %1 could not be read: %2</source>
        <translation>无法读取文件 %1：%2</translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation>请检查其权限。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>USER</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>KIND</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>FINGERPRINT</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>ENABLED</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>公钥</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Say where the key comes from, exactly once.</source>
        <translation>请指定密钥的来源，且只能指定一种。</translation>
    </message>
    <message>
        <source>Use --private-key-file FILE, --key-file PATH or --agent.</source>
        <translation>请使用 --private-key-file 文件、--key-file 路径 或 --agent。</translation>
    </message>
    <message>
        <source>The key needs a remote user.</source>
        <translation>密钥需要一个远程用户。</translation>
    </message>
    <message>
        <source>Add --user, for example --user deploy.</source>
        <translation>请加上 --user，例如 --user deploy。</translation>
    </message>
    <message>
        <source>--passphrase-stdin only goes with --private-key-file.</source>
        <translation>--passphrase-stdin 只能与 --private-key-file 一起使用。</translation>
    </message>
    <message>
        <source>Key files and the agent keep their own passphrases.</source>
        <translation>密钥文件和 ssh-agent 自行管理各自的口令。</translation>
    </message>
    <message>
        <source>key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>The key&apos;s passphrase</source>
        <translation>密钥口令</translation>
    </message>
    <message>
        <source>The key file %1 does not exist.</source>
        <translation>密钥文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Give the path of the private key file.</source>
        <translation>请给出私钥文件的路径。</translation>
    </message>
    <message>
        <source>Added key %1 (%2).</source>
        <translation>已添加密钥 %1（%2）。</translation>
    </message>
    <message>
        <source>--enable and --disable contradict each other.</source>
        <translation>--enable 和 --disable 不能同时使用。</translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation>请只指定其中一个。</translation>
    </message>
    <message>
        <source>Saved key %1.</source>
        <translation>已保存密钥 %1。</translation>
    </message>
    <message>
        <source>The key %1 is still used by: %2.</source>
        <translation>密钥 %1 仍被以下服务器使用：%2。</translation>
    </message>
    <message>
        <source>Give those servers another key first (server edit NAME --key K).</source>
        <translation>请先为这些服务器换用其他密钥（server edit 名称 --key K）。</translation>
    </message>
    <message>
        <source>Removed key %1.</source>
        <translation>已删除密钥 %1。</translation>
    </message>
    <message>
        <source>Remote login name.</source>
        <translation>远程登录名。</translation>
    </message>
    <message>
        <source>U</source>
        <translation>U</translation>
    </message>
    <message>
        <source>SSH keys: a stored private key (sealed in the vault), a key file, or the ssh-agent</source>
        <translation>SSH 密钥：存储的私钥（加密保存在保管库中）、密钥文件或 ssh-agent</translation>
    </message>
    <message>
        <source>List the keys.</source>
        <translation>列出密钥。</translation>
    </message>
    <message>
        <source>Show one key, its public key and who uses it.</source>
        <translation>显示一个密钥、它的公钥及其使用者。</translation>
    </message>
    <message>
        <source>NAME --user U (--private-key-file F [--passphrase-stdin] | --key-file PATH | --agent)</source>
        <translation>名称 --user U (--private-key-file F [--passphrase-stdin] | --key-file 路径 | --agent)</translation>
    </message>
    <message>
        <source>Add a key. A private key file is read once and sealed in the vault (needs the master password); its passphrase comes as a line on stdin.</source>
        <translation>添加密钥。私钥文件只读取一次，随后加密保存在保管库中（需要主密码）；其口令从 stdin 读取一行。</translation>
    </message>
    <message>
        <source>OpenSSH private key to store in the vault.</source>
        <translation>要存入保管库的 OpenSSH 私钥。</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>Read the private key&apos;s passphrase from stdin.</source>
        <translation>从 stdin 读取私钥的口令。</translation>
    </message>
    <message>
        <source>Use this private key file in place, at connect time.</source>
        <translation>连接时直接使用该位置的私钥文件。</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Use the keys of the running ssh-agent.</source>
        <translation>使用正在运行的 ssh-agent 中的密钥。</translation>
    </message>
    <message>
        <source>NAME [--user U] [--name NEW] [--enable|--disable]</source>
        <translation>名称 [--user U] [--name 新名称] [--enable|--disable]</translation>
    </message>
    <message>
        <source>Change a key&apos;s user, name or whether it is used.</source>
        <translation>修改密钥的用户、名称或是否启用。</translation>
    </message>
    <message>
        <source>New name.</source>
        <translation>新名称。</translation>
    </message>
    <message>
        <source>NEW</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>Use the key.</source>
        <translation>启用该密钥。</translation>
    </message>
    <message>
        <source>Keep the key but do not use it.</source>
        <translation>保留该密钥但不使用。</translation>
    </message>
    <message>
        <source>Remove a key no server uses.</source>
        <translation>删除没有服务器使用的密钥。</translation>
    </message>
</context>
<context>
    <name>KeyMaterial</name>
    <message>
        <source>This is not a private key.</source>
        <translation>这不是私钥。</translation>
    </message>
    <message>
        <source>Paste the whole private key file, including the &quot;-----BEGIN ... PRIVATE KEY-----&quot; and &quot;-----END ... PRIVATE KEY-----&quot; lines.</source>
        <translation>请粘贴完整的私钥文件，包括“-----BEGIN ... PRIVATE KEY-----”和“-----END ... PRIVATE KEY-----”这两行。</translation>
    </message>
    <message>
        <source>The private key is damaged: %1</source>
        <translation>私钥已损坏：%1</translation>
    </message>
    <message>
        <source>Paste the whole file again, unchanged.</source>
        <translation>请原样重新粘贴整个文件。</translation>
    </message>
    <message>
        <source>Keys of type %1 are not supported.</source>
        <translation>不支持类型为 %1 的密钥。</translation>
    </message>
    <message>
        <source>Use an Ed25519, RSA or ECDSA key (ssh-keygen -t ed25519 makes one).</source>
        <translation>请使用 Ed25519、RSA 或 ECDSA 密钥（可用 ssh-keygen -t ed25519 生成）。</translation>
    </message>
    <message>
        <source>its public key cannot be read.</source>
        <translation>无法读取其中的公钥。</translation>
    </message>
    <message>
        <source>its %1 public key is malformed.</source>
        <translation>其中的 %1 公钥格式错误。</translation>
    </message>
    <message>
        <source>its END line is missing.</source>
        <translation>缺少 END 行。</translation>
    </message>
    <message>
        <source>its base64 text does not decode.</source>
        <translation>其中的 base64 文本无法解码。</translation>
    </message>
    <message>
        <source>it does not start with the OpenSSH key header.</source>
        <translation>开头不是 OpenSSH 密钥头。</translation>
    </message>
    <message>
        <source>its header cannot be read.</source>
        <translation>无法读取密钥头。</translation>
    </message>
    <message>
        <source>its private part is missing.</source>
        <translation>缺少私钥部分。</translation>
    </message>
    <message>
        <source>its private part does not match its public key.</source>
        <translation>私钥部分与公钥不匹配。</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>ECDSA on curve %1</source>
        <translation>ECDSA（曲线 %1）</translation>
    </message>
    <message>
        <source>This private key is protected by a passphrase.</source>
        <translation>此私钥受口令保护。</translation>
    </message>
    <message>
        <source>Type the key&apos;s passphrase as well.</source>
        <translation>请同时输入密钥的口令。</translation>
    </message>
    <message>
        <source>Out of memory while reading the private key.</source>
        <translation>读取私钥时内存不足。</translation>
    </message>
    <message>
        <source>The passphrase of this private key is wrong.</source>
        <translation>此私钥的口令不正确。</translation>
    </message>
    <message>
        <source>Type the passphrase again.</source>
        <translation>请重新输入口令。</translation>
    </message>
    <message>
        <source>PuTTY keys (.ppk) cannot be read.</source>
        <translation>无法读取 PuTTY 密钥（.ppk）。</translation>
    </message>
    <message>
        <source>Convert it first: puttygen key.ppk -O private-openssh -o key, then paste that file.</source>
        <translation>请先转换：puttygen key.ppk -O private-openssh -o key，然后粘贴转换得到的文件。</translation>
    </message>
    <message>
        <source>This is a public key, not a private key.</source>
        <translation>这是公钥，不是私钥。</translation>
    </message>
    <message>
        <source>Paste the private key file (for example id_ed25519, not id_ed25519.pub).</source>
        <translation>请粘贴私钥文件（例如 id_ed25519，而不是 id_ed25519.pub）。</translation>
    </message>
    <message>
        <source>This is not an OpenSSH public key.</source>
        <translation>这不是 OpenSSH 公钥。</translation>
    </message>
    <message>
        <source>Paste one line as in a .pub file, such as &quot;ssh-ed25519 AAAA... me@host&quot;.</source>
        <translation>请粘贴 .pub 文件中那样的一行，例如“ssh-ed25519 AAAA... me@host”。</translation>
    </message>
    <message>
        <source>The key could not be written to a temporary file to check its passphrase.</source>
        <translation>无法把密钥写入临时文件以检查其口令。</translation>
    </message>
    <message>
        <source>Check the free space of the temporary folder.</source>
        <translation>请检查临时目录的可用空间。</translation>
    </message>
    <message>
        <source>ssh-keygen, which checks the passphrase of an OpenSSH private key, could not start.</source>
        <translation>用于检查 OpenSSH 私钥口令的 ssh-keygen 无法启动。</translation>
    </message>
    <message>
        <source>Install OpenSSH&apos;s client (Debian: openssh-client).</source>
        <translation>请安装 OpenSSH 客户端（Debian：openssh-client）。</translation>
    </message>
    <message>
        <source>ssh-keygen did not finish checking the passphrase.</source>
        <translation>ssh-keygen 未能完成口令检查。</translation>
    </message>
    <message>
        <source>Try again.</source>
        <translation>请重试。</translation>
    </message>
    <message>
        <source>its key derivation &quot;%1&quot; cannot be read.</source>
        <translation>其密钥派生“%1”无法读取。</translation>
    </message>
    <message>
        <source>This key&apos;s passphrase is stretched with %1 bcrypt rounds; ReleaseDesk checks up to %2.</source>
        <translation>此密钥的口令经过 %1 轮 bcrypt 强化；ReleaseDesk 最多检查 %2 轮。</translation>
    </message>
    <message>
        <source>Set the passphrase again with fewer rounds: ssh-keygen -p -a 100 -f KEY.</source>
        <translation>请用较少的轮数重新设置口令：ssh-keygen -p -a 100 -f 密钥文件。</translation>
    </message>
</context>
<context>
    <name>KnownHosts</name>
    <message>
        <source>Could not read the known hosts file %1: %2</source>
        <translation>无法读取 known_hosts 文件 %1：%2</translation>
    </message>
    <message>
        <source>Check its permissions.</source>
        <translation>请检查其权限。</translation>
    </message>
    <message>
        <source>Could not write the known hosts file %1: %2</source>
        <translation>无法写入 known_hosts 文件 %1：%2</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>Check that the disk is not full.</source>
        <translation>请检查磁盘是否已满。</translation>
    </message>
    <message>
        <source>The known hosts file already holds another %1 key for %2.</source>
        <translation>known_hosts 文件中已有 %2 的另一个 %1 密钥。</translation>
    </message>
    <message>
        <source>Replace it explicitly if the server&apos;s key really changed.</source>
        <translation>如果服务器的密钥确实已更换，请显式替换它。</translation>
    </message>
    <message>
        <source>its host list has an empty entry.</source>
        <translation>其主机列表中有空条目。</translation>
    </message>
    <message>
        <source>the host pattern &quot;%1&quot; matches every server.</source>
        <translation>主机模式“%1”匹配所有服务器。</translation>
    </message>
    <message>
        <source>the hashed host name &quot;%1&quot; is not valid.</source>
        <translation>散列主机名“%1”无效。</translation>
    </message>
    <message>
        <source>it names a certificate authority; ReleaseDesk checks host keys, not certificates.</source>
        <translation>它指定的是证书颁发机构；ReleaseDesk 校验主机密钥，不校验证书。</translation>
    </message>
    <message>
        <source>the marker %1 is unknown.</source>
        <translation>标记 %1 未知。</translation>
    </message>
    <message>
        <source>it has no host, key type and key.</source>
        <translation>缺少主机、密钥类型和密钥。</translation>
    </message>
    <message>
        <source>the key is not valid base64.</source>
        <translation>密钥不是有效的 base64。</translation>
    </message>
    <message>
        <source>the key is not a %1 key.</source>
        <translation>该密钥不是 %1 密钥。</translation>
    </message>
    <message>
        <source>The known hosts file</source>
        <translation>已知主机文件</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
</context>
<context>
    <name>LocalHook</name>
    <message>
        <source>The hook</source>
        <translation>钩子</translation>
    </message>
    <message>
        <source>%1 could not start: %2</source>
        <translation>%1无法启动：%2</translation>
    </message>
    <message>
        <source>Check that /bin/sh and /usr/bin/setsid exist and the work directory %1 is there.</source>
        <translation>请检查 /bin/sh 和 /usr/bin/setsid 是否存在，以及工作目录 %1 是否存在。</translation>
    </message>
    <message>
        <source>(no output)</source>
        <translation>（无输出）</translation>
    </message>
    <message>
        <source>%1 did not finish within %2 seconds and was stopped.</source>
        <translation>%1未在 %2 秒内完成，已被终止。</translation>
    </message>
    <message>
        <source>Raise the time limit or make the hook faster. Last output:
%1</source>
        <translation>请提高超时时间，或让钩子运行得更快。最后的输出：
%1</translation>
    </message>
    <message>
        <source>%1 was cancelled.</source>
        <translation>%1已取消。</translation>
    </message>
    <message>
        <source>%1 crashed: %2</source>
        <translation>%1崩溃：%2</translation>
    </message>
    <message>
        <source>Last output:
%1</source>
        <translation>最后的输出：
%1</translation>
    </message>
    <message>
        <source>%1 failed with exit code %2.</source>
        <translation>%1失败，退出码 %2。</translation>
    </message>
    <message>
        <source>Fix the hook or what it builds, then run it again. Last output:
%1</source>
        <translation>请修复钩子或它所构建的内容，然后重新运行。最后的输出：
%1</translation>
    </message>
</context>
<context>
    <name>Output</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>PackageBuilder</name>
    <message>
        <source>Could not read %1 in the work directory.</source>
        <translation>无法读取工作目录中的 %1。</translation>
    </message>
    <message>
        <source>Make sure nothing else changes the work directory, then build again.</source>
        <translation>请确保没有其他程序在修改工作目录，然后重新构建。</translation>
    </message>
    <message>
        <source>%1 is neither a file, a directory nor a symlink and is not part of the package.</source>
        <translation>%1 既不是文件、目录，也不是符号链接，不会包含在发布包中。</translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation>无法从镜像读取 %1</translation>
    </message>
    <message>
        <source>Could not read the symlink %1.</source>
        <translation>无法读取符号链接 %1。</translation>
    </message>
    <message>
        <source>Check the ref, or fetch the mirror first (mirror fetch %1) if it is new.</source>
        <translation>请检查该引用；如果它是新的，请先拉取镜像（mirror fetch %1）。</translation>
    </message>
    <message>
        <source>Could not create the work directory %1.</source>
        <translation>无法创建工作目录 %1。</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>Could not create a work directory in %1: %2</source>
        <translation>无法在 %1 中创建工作目录：%2</translation>
    </message>
    <message>
        <source>Check the free space and permissions of the data directory.</source>
        <translation>请检查数据目录的剩余空间和权限。</translation>
    </message>
    <message>
        <source>The after-download hook</source>
        <translation>下载后钩子</translation>
    </message>
</context>
<context>
    <name>PackageCommands</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n 小时</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n 天</numerusform>
        </translation>
    </message>
    <message>
        <source>Fetch it with &quot;mirror fetch %1&quot; (which can use a stored key and accept a new host key), then build with --offline.</source>
        <translation>请用“mirror fetch %1”拉取（它可以使用存储的密钥并接受新的主机密钥），然后加上 --offline 构建。</translation>
    </message>
    <message>
        <source>Could not read the hook file %1: %2</source>
        <translation>无法读取钩子文件 %1：%2</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>请检查路径。</translation>
    </message>
    <message>
        <source>The hook &quot;%1&quot; runs at %2, not after download.</source>
        <translation>钩子“%1”在 %2 阶段运行，而不是在下载后运行。</translation>
    </message>
    <message>
        <source>Choose an after-download hook.</source>
        <translation>请选择一个下载后（after-download）钩子。</translation>
    </message>
    <message>
        <source>A patch package carries the trees only and cannot run a build hook.</source>
        <translation>补丁包只包含文件树，无法运行构建钩子。</translation>
    </message>
    <message>
        <source>Build a full package (without --base) for a project that is built.</source>
        <translation>需要构建的项目请构建完整发布包（不带 --base）。</translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation>项目“%1”还没有本地镜像。</translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation>请先拉取：releasedesk-cli mirror fetch %1</translation>
    </message>
    <message>
        <source>warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>Reused %1 (%2, %3 files, sha256 %4).</source>
        <translation>已复用 %1（%2，%3 个文件，sha256 %4）。</translation>
    </message>
    <message>
        <source>Built %1 (%2, %3 files, sha256 %4).</source>
        <translation>已构建 %1（%2，%3 个文件，sha256 %4）。</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>存放时长</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a size.</source>
        <translation>“%1”不是有效的大小。</translation>
    </message>
    <message>
        <source>Give bytes or a number with K, M, G or T, e.g. 500M.</source>
        <translation>请给出字节数，或带 K、M、G、T 的数字，例如 500M。</translation>
    </message>
    <message>
        <source>Say how much to keep.</source>
        <translation>请指定要保留多少。</translation>
    </message>
    <message>
        <source>Give --keep N, --max-size SIZE or both.</source>
        <translation>请指定 --keep N、--max-size 大小，或两者都指定。</translation>
    </message>
    <message numerus="yes">
        <source>Removed %n package(s), freed %1; %2 kept.</source>
        <translation>
            <numerusform>已删除 %n 个发布包，释放了 %1；保留 %2 个。</numerusform>
        </translation>
    </message>
    <message>
        <source>Release packages in the local package store</source>
        <translation>本地发布包仓库中的发布包</translation>
    </message>
    <message>
        <source>PROJECT REF [--offline] [--base REF] [--hook-file F | --hook TITLE] [--version-id V] [--env NAME] [--timeout SECONDS] [--key-file PATH]</source>
        <translation>项目 引用 [--offline] [--base 引用] [--hook-file F | --hook 标题] [--version-id V] [--env 名称] [--timeout 秒数] [--key-file 路径]</translation>
    </message>
    <message>
        <source>Build (or reuse) the package of REF: fetches the mirror first unless --offline; with --base, a patch package that brings a server at BASE to REF. The after-download hook runs in a checkout and the package is taken from there.</source>
        <translation>构建（或复用）引用对应的发布包：除非指定 --offline，否则会先拉取镜像；指定 --base 时构建补丁包，把处于 --base 版本的服务器升级到该引用。下载后钩子在检出的工作目录中运行，发布包从该目录打包。</translation>
    </message>
    <message>
        <source>Use the mirror as it is; no network at all.</source>
        <translation>直接使用现有镜像，完全不联网。</translation>
    </message>
    <message>
        <source>Build a patch package from this commit.</source>
        <translation>基于此提交构建补丁包。</translation>
    </message>
    <message>
        <source>REF</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>The after-download hook&apos;s script, from a file.</source>
        <translation>从文件读取下载后钩子的脚本。</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>The after-download hook template with this title.</source>
        <translation>使用此标题的下载后钩子模板。</translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>The version id written into the manifest.</source>
        <translation>写入发布包清单文件的版本 ID。</translation>
    </message>
    <message>
        <source>V</source>
        <translation>V</translation>
    </message>
    <message>
        <source>The environment the hook is told (RD_ENV).</source>
        <translation>告知钩子的环境（RD_ENV）。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>The hook&apos;s time limit in seconds (default 1800).</source>
        <translation>钩子的超时时间，单位为秒（默认 1800）。</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>秒数</translation>
    </message>
    <message>
        <source>Fetch over ssh with this private key file (default: ssh-agent).</source>
        <translation>通过 ssh 拉取时使用此私钥文件（默认：ssh-agent）。</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>[PROJECT]</source>
        <translation>[项目]</translation>
    </message>
    <message>
        <source>List the stored packages, newest first, with size and age.</source>
        <translation>列出已保存的发布包，最新的在前，并显示大小和存放时长。</translation>
    </message>
    <message>
        <source>--keep N | --max-size SIZE</source>
        <translation>--keep N | --max-size 大小</translation>
    </message>
    <message>
        <source>Remove the oldest packages beyond N packages or SIZE bytes (K, M, G, T), and leftovers.</source>
        <translation>删除超出 N 个发布包或超出 大小 字节数（K、M、G、T）的最旧发布包，以及残留文件。</translation>
    </message>
    <message>
        <source>Keep the newest N packages.</source>
        <translation>保留最新的 N 个发布包。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Keep the newest packages that fit in SIZE.</source>
        <translation>保留总量不超过 大小 的最新发布包。</translation>
    </message>
    <message>
        <source>SIZE</source>
        <translation>大小</translation>
    </message>
</context>
<context>
    <name>PackageManifest</name>
    <message>
        <source>The package manifest is not valid JSON: %1.</source>
        <translation>发布包清单文件不是有效的 JSON：%1。</translation>
    </message>
    <message>
        <source>Build the package again.</source>
        <translation>请重新构建发布包。</translation>
    </message>
    <message>
        <source>The package manifest has format %1; this version reads format %2.</source>
        <translation>发布包清单文件的格式版本为 %1；本版本读取的是格式版本 %2。</translation>
    </message>
    <message>
        <source>Build the package again with this version.</source>
        <translation>请用此版本重新构建发布包。</translation>
    </message>
</context>
<context>
    <name>PackageStore</name>
    <message>
        <source>Could not create the package store %1.</source>
        <translation>无法创建发布包仓库 %1。</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>Could not read the package record %1: %2</source>
        <translation>无法读取发布包记录 %1：%2</translation>
    </message>
    <message>
        <source>The stored package %1 is incomplete.</source>
        <translation>已保存的发布包 %1 不完整。</translation>
    </message>
    <message>
        <source>Prune the package store and build it again.</source>
        <translation>请清理发布包仓库并重新构建。</translation>
    </message>
    <message>
        <source>Could not create a package in %1: %2</source>
        <translation>无法在 %1 中创建发布包：%2</translation>
    </message>
    <message>
        <source>Check the free space and permissions of the package store.</source>
        <translation>请检查发布包仓库的剩余空间和权限。</translation>
    </message>
    <message>
        <source>Free space in %1 or prune old packages (package prune), then build again.</source>
        <translation>请释放 %1 的空间或清理旧的发布包（package prune），然后重新构建。</translation>
    </message>
    <message>
        <source>Could not move the package into place as %1: %2</source>
        <translation>无法将发布包移动到 %1：%2</translation>
    </message>
    <message>
        <source>Check the permissions of the package store.</source>
        <translation>请检查发布包仓库的权限。</translation>
    </message>
    <message>
        <source>Could not record the package %1: %2</source>
        <translation>无法记录发布包 %1：%2</translation>
    </message>
    <message>
        <source>Could not remove the package record of %1.</source>
        <translation>无法删除 %1 的发布包记录。</translation>
    </message>
    <message>
        <source>Check the permissions of %1.</source>
        <translation>请检查 %1 的权限。</translation>
    </message>
    <message>
        <source>Could not remove the package %1.</source>
        <translation>无法删除发布包 %1。</translation>
    </message>
</context>
<context>
    <name>PackageWriter</name>
    <message>
        <source>Could not start a package archive: out of memory.</source>
        <translation>无法开始创建发布包归档：内存不足。</translation>
    </message>
    <message>
        <source>Could not start the package %1</source>
        <translation>无法开始创建发布包 %1</translation>
    </message>
    <message>
        <source>Could not write %1 into the package</source>
        <translation>无法将 %1 写入发布包</translation>
    </message>
    <message>
        <source>Could not write the package %1</source>
        <translation>无法写入发布包 %1</translation>
    </message>
    <message>
        <source>Could not read %1 for the package: %2</source>
        <translation>无法读取要打包的 %1：%2</translation>
    </message>
    <message>
        <source>Check that the build left it readable.</source>
        <translation>请检查构建后它是否仍可读。</translation>
    </message>
    <message>
        <source>%1 changed while it was being packaged.</source>
        <translation>%1 在打包过程中发生了变化。</translation>
    </message>
    <message>
        <source>Make sure nothing else writes into the work directory, then build again.</source>
        <translation>请确保没有其他程序在写入工作目录，然后重新构建。</translation>
    </message>
    <message>
        <source>Could not finish the package %1</source>
        <translation>无法完成发布包 %1</translation>
    </message>
    <message>
        <source>The disk is not at fault: look at the file named above in the repository.</source>
        <translation>这不是磁盘的问题：请检查仓库中上面提到的文件。</translation>
    </message>
</context>
<context>
    <name>PasswordReader</name>
    <message>
        <source>Pass --password-stdin and write it as a line on stdin.</source>
        <translation>请加上 --password-stdin，并在 stdin 中以一行写入。</translation>
    </message>
    <message>
        <source>Set %1, or pass --password-stdin and write it as a line on stdin.</source>
        <translation>请设置 %1，或加上 --password-stdin 并在 stdin 中以一行写入。</translation>
    </message>
    <message>
        <source>%1 is needed, and there is no terminal to ask on.</source>
        <translation>需要%1，但没有可用于询问的终端。</translation>
    </message>
    <message>
        <source>Repeat it</source>
        <translation>再次输入</translation>
    </message>
    <message>
        <source>The two entries differ.</source>
        <translation>两次输入不一致。</translation>
    </message>
    <message>
        <source>Run the command again.</source>
        <translation>请重新运行该命令。</translation>
    </message>
    <message>
        <source>%1 was expected as a line on stdin, but none came.</source>
        <translation>本应从 stdin 读到一行作为%1，但没有读到。</translation>
    </message>
    <message>
        <source>Write one line per secret, in the order the command asks for them.</source>
        <translation>请按命令询问的顺序，每项机密写一行。</translation>
    </message>
    <message>
        <source>Nothing was entered.</source>
        <translation>没有输入任何内容。</translation>
    </message>
    <message>
        <source>%1 is longer than %2 bytes, so it was not read.</source>
        <translation>%1 超过 %2 字节，未读取。</translation>
    </message>
    <message>
        <source>Give the secret itself on one line, not a file.</source>
        <translation>请在一行中给出密钥本身，而不是文件。</translation>
    </message>
</context>
<context>
    <name>PatchPackage</name>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation>无法从镜像读取 %1</translation>
    </message>
    <message>
        <source>%1 changed in git but lies in a shared path: the servers keep their own copy.</source>
        <translation>%1 在 git 中有改动，但位于共享路径中：服务器保留各自的副本。</translation>
    </message>
</context>
<context>
    <name>PipelineLegendItem</name>
    <message>
        <source>canary</source>
        <translation>金丝雀</translation>
    </message>
</context>
<context>
    <name>PipelineNodeItem</name>
    <message>
        <source>01 Start</source>
        <translation>01 开始</translation>
    </message>
    <message>
        <source>02 Before download</source>
        <translation>02 下载前</translation>
    </message>
    <message>
        <source>03 Download</source>
        <translation>03 下载</translation>
    </message>
    <message>
        <source>04 Build</source>
        <translation>04 构建</translation>
    </message>
    <message>
        <source>05 Package</source>
        <translation>05 打包</translation>
    </message>
    <message>
        <source>06 Upload</source>
        <translation>06 上传</translation>
    </message>
    <message>
        <source>08 Release</source>
        <translation>08 发布</translation>
    </message>
    <message>
        <source>09 After release</source>
        <translation>09 发布后</translation>
    </message>
    <message>
        <source>10 Health check</source>
        <translation>10 健康检查</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>%1% · %2</source>
        <translation>%1% · %2</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1（于 %2）</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>状态：%1</translation>
    </message>
    <message>
        <source>Duration: %1</source>
        <translation>耗时：%1</translation>
    </message>
    <message>
        <source>Uploaded: %1 of %2 (%3%)</source>
        <translation>已上传：%1 / %2（%3%）</translation>
    </message>
    <message>
        <source>Click to open the task log</source>
        <translation>点击打开任务日志</translation>
    </message>
    <message>
        <source>Click to open this server&apos;s log</source>
        <translation>点击打开此服务器的日志</translation>
    </message>
    <message>
        <source>07 Prepare</source>
        <translation>07 准备</translation>
    </message>
</context>
<context>
    <name>ProjectCommands</name>
    <message>
        <source>project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>GIT URL</source>
        <translation>Git 地址</translation>
    </message>
    <message>
        <source>BRANCH</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>KEEP</source>
        <translation>保留数</translation>
    </message>
    <message>
        <source>ENVIRONMENTS</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation>Git 地址</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation>保留版本数</translation>
    </message>
    <message>
        <source>Excludes</source>
        <translation>排除项</translation>
    </message>
    <message>
        <source>Environments</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>The project needs a git URL.</source>
        <translation>项目需要一个 git 地址。</translation>
    </message>
    <message>
        <source>Add --git-url, for example --git-url https://git.example.com/shop.git.</source>
        <translation>请加上 --git-url，例如 --git-url https://git.example.com/shop.git。</translation>
    </message>
    <message>
        <source>Added project %1.</source>
        <translation>已添加项目 %1。</translation>
    </message>
    <message>
        <source>Saved project %1.</source>
        <translation>已保存项目 %1。</translation>
    </message>
    <message>
        <source>Removed project %1.</source>
        <translation>已删除项目 %1。</translation>
    </message>
    <message>
        <source>Removed project %1 and its environments %2.</source>
        <translation>已删除项目 %1 及其环境 %2。</translation>
    </message>
    <message>
        <source>Repository URL.</source>
        <translation>仓库地址。</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Default branch (default main).</source>
        <translation>默认分支（默认为 main）。</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>Releases kept on each server (2-100, default 5).</source>
        <translation>每台服务器上保留的版本数（2-100，默认 5）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>A pattern left out of packages; repeat for more (replaces them).</source>
        <translation>打包时排除的模式；可重复指定多个（替换原有模式）。</translation>
    </message>
    <message>
        <source>PAT</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>New name.</source>
        <translation>新名称。</translation>
    </message>
    <message>
        <source>NEW</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>Projects: the git repositories that are deployed</source>
        <translation>项目：要部署的 git 仓库</translation>
    </message>
    <message>
        <source>List the projects.</source>
        <translation>列出项目。</translation>
    </message>
    <message>
        <source>Show one project.</source>
        <translation>显示一个项目。</translation>
    </message>
    <message>
        <source>Add a project.</source>
        <translation>添加项目。</translation>
    </message>
    <message>
        <source>NAME [the options of add] [--name NEW]</source>
        <translation>名称 [add 的选项] [--name 新名称]</translation>
    </message>
    <message>
        <source>Change a project; options not given stay as they are.</source>
        <translation>修改项目；未指定的选项保持不变。</translation>
    </message>
    <message>
        <source>Remove a project and its environments (servers and keys stay).</source>
        <translation>删除项目及其环境（服务器和密钥保留）。</translation>
    </message>
    <message>
        <source>Unauthenticated fetch</source>
        <translation>未认证的获取</translation>
    </message>
    <message>
        <source>Accept an http:// or git:// URL, which fetches the code without authenticating the server.</source>
        <translation>接受 http:// 或 git:// 地址；这类地址获取代码时不认证服务器。</translation>
    </message>
    <message>
        <source>Withdraw --allow-unauthenticated.</source>
        <translation>撤销 --allow-unauthenticated。</translation>
    </message>
    <message>
        <source>NAME --git-url URL [--branch B] [--keep N] [--exclude PAT ...] [--allow-unauthenticated]</source>
        <translation>名称 --git-url 地址 [--branch 分支] [--keep N] [--exclude 模式 ...] [--allow-unauthenticated]</translation>
    </message>
</context>
<context>
    <name>ReleaseCommands</name>
    <message>
        <source>&quot;%1&quot; is not PROJECT/ENV.</source>
        <translation>“%1”不是 PROJECT/ENV 形式。</translation>
    </message>
    <message>
        <source>Name the environment as project/environment, e.g. shop/prod.</source>
        <translation>请按 项目/环境 的形式指定环境，例如 shop/prod。</translation>
    </message>
    <message>
        <source>Could not read the hook file %1: %2</source>
        <translation>无法读取钩子文件 %1：%2</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>请检查路径。</translation>
    </message>
    <message>
        <source>The hook &quot;%1&quot; runs at %2, not at %3.</source>
        <translation>钩子“%1”在 %2 阶段运行，而不是 %3。</translation>
    </message>
    <message>
        <source>Choose a %1 hook.</source>
        <translation>请选择一个 %1 钩子。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a kind of release.</source>
        <translation>“%1”不是一种发布方式。</translation>
    </message>
    <message>
        <source>Use full, rolling, gray or patch (and &quot;release rollback&quot; to go back).</source>
        <translation>请使用 full、rolling、gray 或 patch（回滚请用“release rollback”）。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time.</source>
        <translation>“%1”不是一个时间。</translation>
    </message>
    <message>
        <source>Write it as 2026-11-24T02:30 (local time) or with a zone, 2026-11-24T02:30+08:00.</source>
        <translation>请写成 2026-11-24T02:30（本地时间）或带时区，如 2026-11-24T02:30+08:00。</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>There are no release tasks yet.</source>
        <translation>还没有任何发布任务。</translation>
    </message>
    <message>
        <source>Interrupted: stopping the release and releasing its locks (Ctrl+C again to quit at once).</source>
        <translation>已中断：正在停止发布并释放其锁（再按一次 Ctrl+C 立即退出）。</translation>
    </message>
    <message>
        <source>Task %1 waits for promotion. Check the canaries, then run: releasedesk-cli release promote %1 (or release abort %1).</source>
        <translation>任务 %1 正在等待推广。请检查金丝雀服务器，然后运行：releasedesk-cli release promote %1（或 release abort %1）。</translation>
    </message>
    <message>
        <source>Wait for the other release, or break a stale lock explicitly.</source>
        <translation>请等待另一个发布结束，或明确地打破一个过期的锁。</translation>
    </message>
    <message>
        <source>Fix what the failed servers report, then: releasedesk-cli release retry %1</source>
        <translation>请修复失败服务器报告的问题，然后运行：releasedesk-cli release retry %1</translation>
    </message>
    <message>
        <source>Task %1 will release %2 to %3/%4 at %5, while the app or &quot;releasedesk-cli release run --wait&quot; runs.</source>
        <translation>任务 %1 将在 %5 把 %2 发布到 %3/%4（需要应用或“releasedesk-cli release run --wait”正在运行）。</translation>
    </message>
    <message>
        <source>Task %1: %2 release of %3 (%4 at %5) to %6 servers of %7/%8</source>
        <translation>任务 %1：%2 发布 %3（%4，提交 %5）到 %7/%8 的 %6 台服务器</translation>
    </message>
    <message>
        <source>A rollback needs the release to go back to.</source>
        <translation>回滚需要指定要回到的版本。</translation>
    </message>
    <message>
        <source>Add --to VERSION; &quot;release status %1&quot; lists what the servers keep.</source>
        <translation>请加上 --to VERSION；“release status %1”会列出服务器保留的版本。</translation>
    </message>
    <message>
        <source>Asked process %1 on %2, which runs task %3, to %4 it.</source>
        <translation>已请求 %2 上运行任务 %3 的进程 %1 执行 %4。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a task status.</source>
        <translation>“%1”不是一个任务状态。</translation>
    </message>
    <message>
        <source>Use scheduled, running, awaiting-promotion, succeeded, failed, aborted, interrupted or missed.</source>
        <translation>请使用 scheduled、running、awaiting-promotion、succeeded、failed、aborted、interrupted 或 missed。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Took</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Task %1 has no server &quot;%2&quot;.</source>
        <translation>任务 %1 没有服务器“%2”。</translation>
    </message>
    <message>
        <source>Its servers: %1.</source>
        <translation>它的服务器：%1。</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Task %1 was due at %2 and was missed; it will not run late. Start it again if it is still wanted.</source>
        <translation>任务 %1 原定于 %2 执行，已错过；它不会延后执行。如仍需要，请重新发起。</translation>
    </message>
    <message>
        <source>Starting scheduled task %1.</source>
        <translation>开始执行定时任务 %1。</translation>
    </message>
    <message numerus="yes">
        <source>%n scheduled task(s) failed.</source>
        <translation>
            <numerusform>%n 个定时任务失败。</numerusform>
        </translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>Steps on each server (shown for %1):</source>
        <translation>每台服务器上的步骤（以 %1 为例）：</translation>
    </message>
    <message>
        <source>Plan: %1 release of %2 (%3 at %4) to %5 servers of %6/%7.</source>
        <translation>计划：%1 发布 %2（%3，提交 %4）到 %6/%7 的 %5 台服务器。</translation>
    </message>
    <message>
        <source>Host key</source>
        <translation>主机密钥</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Free MiB</source>
        <translation>可用 MiB</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>%1 of %2 servers would not take this release.</source>
        <translation>%2 台服务器中有 %1 台无法接受本次发布。</translation>
    </message>
    <message>
        <source>Each server&apos;s problems are listed above.</source>
        <translation>每台服务器的问题已在上面列出。</translation>
    </message>
    <message>
        <source>no stale lock</source>
        <translation>没有过期的锁</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>%1 of %2 locks were kept or could not be checked.</source>
        <translation>%2 个锁中有 %1 个被保留或无法检查。</translation>
    </message>
    <message>
        <source>A lock in use is never broken: wait for its release, or abort that task.</source>
        <translation>正在使用的锁永远不会被打破：请等待其发布结束，或中止那个任务。</translation>
    </message>
    <message>
        <source>Branch, tag or commit (default: the project&apos;s branch).</source>
        <translation>分支、标签或提交（默认：项目的分支）。</translation>
    </message>
    <message>
        <source>REF</source>
        <translation>REF</translation>
    </message>
    <message>
        <source>full (default), rolling, gray or patch.</source>
        <translation>full（默认）、rolling、gray 或 patch。</translation>
    </message>
    <message>
        <source>KIND</source>
        <translation>KIND</translation>
    </message>
    <message>
        <source>Only these servers of the environment.</source>
        <translation>只发布到环境中的这些服务器。</translation>
    </message>
    <message>
        <source>A,B,...</source>
        <translation>A,B,...</translation>
    </message>
    <message>
        <source>Gray: the servers that go first.</source>
        <translation>灰度：先发布的服务器。</translation>
    </message>
    <message>
        <source>Rolling: servers per batch; gray: after promotion.</source>
        <translation>滚动：每批服务器数；灰度：推广之后每批服务器数。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Failed servers tolerated before the rest stops (N or N%).</source>
        <translation>在停止其余服务器之前可容忍的失败服务器数（N 或 N%）。</translation>
    </message>
    <message>
        <source>Gray: promote by itself after SECONDS of healthy canaries.</source>
        <translation>灰度：金丝雀健康运行 SECONDS 秒后自动推广。</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>SECONDS</translation>
    </message>
    <message>
        <source>Patch: the commit the servers run (default: the last release&apos;s).</source>
        <translation>补丁：服务器当前运行的提交（默认：上一次发布的提交）。</translation>
    </message>
    <message>
        <source>COMMIT</source>
        <translation>COMMIT</translation>
    </message>
    <message>
        <source>What this release is for.</source>
        <translation>本次发布的目的。</translation>
    </message>
    <message>
        <source>TEXT</source>
        <translation>TEXT</translation>
    </message>
    <message>
        <source>After-download hook template (builds on this machine).</source>
        <translation>下载后钩子模板（在本机构建）。</translation>
    </message>
    <message>
        <source>TITLE</source>
        <translation>TITLE</translation>
    </message>
    <message>
        <source>After-download hook script file.</source>
        <translation>下载后钩子脚本文件。</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FILE</translation>
    </message>
    <message>
        <source>Before-release hook template.</source>
        <translation>发布前钩子模板。</translation>
    </message>
    <message>
        <source>Before-release hook script file.</source>
        <translation>发布前钩子脚本文件。</translation>
    </message>
    <message>
        <source>After-release hook template.</source>
        <translation>发布后钩子模板。</translation>
    </message>
    <message>
        <source>After-release hook script file.</source>
        <translation>发布后钩子脚本文件。</translation>
    </message>
    <message>
        <source>Health check run in the new release; non-zero switches back.</source>
        <translation>在新版本中运行的健康检查命令；非零退出码会切换回去。</translation>
    </message>
    <message>
        <source>COMMAND</source>
        <translation>COMMAND</translation>
    </message>
    <message>
        <source>HTTP health check; {host} and {server} are filled in.</source>
        <translation>HTTP 健康检查；会填入 {host} 和 {server}。</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Expected HTTP status (default 200).</source>
        <translation>期望的 HTTP 状态码（默认 200）。</translation>
    </message>
    <message>
        <source>CODE</source>
        <translation>CODE</translation>
    </message>
    <message>
        <source>Text the HTTP answer must contain.</source>
        <translation>HTTP 响应必须包含的文本。</translation>
    </message>
    <message>
        <source>HTTP attempts after the first (default 5).</source>
        <translation>首次之后的 HTTP 重试次数（默认 5）。</translation>
    </message>
    <message>
        <source>Start at this time instead of now.</source>
        <translation>在此时间开始，而不是现在。</translation>
    </message>
    <message>
        <source>TIME</source>
        <translation>TIME</translation>
    </message>
    <message>
        <source>Servers at once (default: the environment&apos;s).</source>
        <translation>同时处理的服务器数（默认：环境的设置）。</translation>
    </message>
    <message>
        <source>Releases kept per server (default: the project&apos;s).</source>
        <translation>每台服务器保留的版本数（默认：项目的设置）。</translation>
    </message>
    <message>
        <source>Do not fetch the mirror first.</source>
        <translation>不先拉取镜像。</translation>
    </message>
    <message>
        <source>Private key for fetching an ssh remote.</source>
        <translation>拉取 ssh 远程仓库所用的私钥。</translation>
    </message>
    <message>
        <source>Trust and remember the keys of servers met for the first time.</source>
        <translation>信任并记住首次遇到的服务器的密钥。</translation>
    </message>
    <message>
        <source>The release every server switches to.</source>
        <translation>所有服务器要切换到的版本。</translation>
    </message>
    <message>
        <source>VERSION</source>
        <translation>VERSION</translation>
    </message>
    <message>
        <source>Only this project.</source>
        <translation>只看这个项目。</translation>
    </message>
    <message>
        <source>PROJECT</source>
        <translation>PROJECT</translation>
    </message>
    <message>
        <source>Only this environment.</source>
        <translation>只看这个环境。</translation>
    </message>
    <message>
        <source>ENV</source>
        <translation>ENV</translation>
    </message>
    <message>
        <source>Only tasks with these statuses.</source>
        <translation>只看这些状态的任务。</translation>
    </message>
    <message>
        <source>STATUS,...</source>
        <translation>STATUS,...</translation>
    </message>
    <message>
        <source>At most N tasks (default 50).</source>
        <translation>最多 N 个任务（默认 50）。</translation>
    </message>
    <message>
        <source>Plan a rollback to this release.</source>
        <translation>计划回滚到这个版本。</translation>
    </message>
    <message>
        <source>Keep running and start each task at its time.</source>
        <translation>保持运行，并在每个任务到时间时启动它。</translation>
    </message>
    <message>
        <source>Release tasks: ship a commit to an environment&apos;s servers, and go back</source>
        <translation>发布任务：把一个提交发布到环境的服务器，并能回退</translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation>PROJECT/ENV</translation>
    </message>
    <message>
        <source>Package a commit and release it to the environment&apos;s servers.</source>
        <translation>打包一个提交并发布到环境的服务器。</translation>
    </message>
    <message>
        <source>TASK</source>
        <translation>TASK</translation>
    </message>
    <message>
        <source>Release the rest of a gray task whose canaries are fine.</source>
        <translation>金丝雀正常后，发布灰度任务的其余服务器。</translation>
    </message>
    <message>
        <source>Run the failed servers of a task again from the stage that failed.</source>
        <translation>从失败的阶段重新运行任务中失败的服务器。</translation>
    </message>
    <message>
        <source>Continue an interrupted task where each server stopped.</source>
        <translation>从每台服务器停下的地方继续一个被中断的任务。</translation>
    </message>
    <message>
        <source>Switch every server of the environment to one kept release.</source>
        <translation>把环境的所有服务器切换到一个保留的版本。</translation>
    </message>
    <message>
        <source>Break the environment&apos;s deploy locks whose owner stopped refreshing them.</source>
        <translation>打破环境中所有者已停止刷新的部署锁。</translation>
    </message>
    <message>
        <source>Seconds without a heartbeat (default 600).</source>
        <translation>多少秒没有心跳（默认 600）。</translation>
    </message>
    <message>
        <source>Dry run: what &quot;release start&quot; (or rollback with --to) would do, changing nothing on the servers.</source>
        <translation>演练：“release start”（或带 --to 的回滚）会做什么，不改变服务器上的任何东西。</translation>
    </message>
    <message>
        <source>Past and scheduled tasks, newest first.</source>
        <translation>过去的和定时的任务，最新的在前。</translation>
    </message>
    <message>
        <source>A task&apos;s outcome on each server (&quot;last&quot; for the newest).</source>
        <translation>任务在每台服务器上的结果（“last”表示最新的任务）。</translation>
    </message>
    <message>
        <source>A task&apos;s log, or one server&apos;s with --server.</source>
        <translation>任务的日志，或用 --server 查看某台服务器的日志。</translation>
    </message>
    <message>
        <source>This server&apos;s log.</source>
        <translation>这台服务器的日志。</translation>
    </message>
    <message>
        <source>SERVER</source>
        <translation>SERVER</translation>
    </message>
    <message>
        <source>Start scheduled tasks that are due (with --wait: as they fall due).</source>
        <translation>启动已到时间的定时任务（使用 --wait：在到时间时启动）。</translation>
    </message>
    <message>
        <source>Send every server the whole package and unpack it afresh, even where a delta from the live release would do.</source>
        <translation>向每台服务器发送完整包并重新解包，即使可以基于当前版本只发送增量。</translation>
    </message>
    <message>
        <source>The task was aborted. &quot;releasedesk-cli release status %1/%2&quot; shows what each server runs now.</source>
        <translation>任务已中止。“releasedesk-cli release status %1/%2”可显示各服务器当前运行的版本。</translation>
    </message>
    <message>
        <source>Gray: leave the canaries on the new release (the fleet stays mixed).</source>
        <translation>灰度：金丝雀服务器保留新版本（集群保持混合状态）。</translation>
    </message>
    <message>
        <source>Stop a task and release its locks. A gray task not yet promoted switches its canaries back to the release they ran before; other servers keep the release they run.</source>
        <translation>停止任务并释放其锁。尚未推广的灰度任务会把金丝雀服务器切回之前运行的版本；其他服务器保持当前版本。</translation>
    </message>
    <message>
        <source>Process %1, which runs task %2, did not take the request within 10 seconds; nothing was changed.</source>
        <translation>运行任务 %2 的进程 %1 在 10 秒内没有接收请求；未做任何更改。</translation>
    </message>
    <message>
        <source>Check that the process still runs (it may be stopped), then try again.</source>
        <translation>请确认该进程仍在运行（它可能已被暂停），然后重试。</translation>
    </message>
    <message>
        <source>Go on? [yes/NO] </source>
        <translation>继续吗？[是/yes/否] </translation>
    </message>
    <message>
        <source>Nothing was started: the release was not confirmed.</source>
        <translation>未启动任何操作：发布未获确认。</translation>
    </message>
    <message>
        <source>Answer yes, or pass --yes when you are sure.</source>
        <translation>请回答 yes；确定无误时也可加上 --yes。</translation>
    </message>
    <message>
        <source>Do not ask before changing a production-like environment (asked only on a terminal).</source>
        <translation>更改类生产环境前不再询问（仅在终端上才会询问）。</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Process %1 ended before it read the request; this process carries it out.</source>
        <translation>进程 %1 在读取请求之前已结束；由本进程执行该请求。</translation>
    </message>
    <message>
        <source>On a terminal, also a line for each server and stage (otherwise one live line counts them).</source>
        <translation>在终端上也为每台服务器的每个阶段输出一行（否则用一行实时计数）。</translation>
    </message>
</context>
<context>
    <name>ReleaseConfirmation</name>
    <message>
        <source>every server of %1</source>
        <translation>%1 的所有服务器</translation>
    </message>
    <message numerus="yes">
        <source>the %n server(s) of %1</source>
        <translation>
            <numerusform>%1 的 %n 台服务器</numerusform>
        </translation>
    </message>
    <message>
        <source>Roll back %1?</source>
        <translation>回滚 %1？</translation>
    </message>
    <message>
        <source>This switches %1, a production environment, back to %2.</source>
        <translation>这会把生产环境中的%1切换回 %2。</translation>
    </message>
    <message>
        <source>Release to %1?</source>
        <translation>发布到 %1？</translation>
    </message>
    <message>
        <source>This releases %1 to %2, a production environment.</source>
        <translation>这会把 %1 发布到生产环境中的%2。</translation>
    </message>
</context>
<context>
    <name>ReleaseEngine</name>
    <message numerus="yes">
        <source>delta from %1: %n file(s), %2</source>
        <translation>
            <numerusform>基于 %1 的增量：%n 个文件，%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Patching %1 into %2</source>
        <translation>将 %1 的补丁应用为 %2</translation>
    </message>
    <message>
        <source>uploaded %1, sha256 %2</source>
        <translation>已上传 %1，sha256 %2</translation>
    </message>
    <message>
        <source>Could not read the patch package %1: %2</source>
        <translation>无法读取补丁包 %1：%2</translation>
    </message>
    <message>
        <source>Prepare the release again.</source>
        <translation>请重新准备该发布。</translation>
    </message>
    <message>
        <source>== lock %1 for task %2</source>
        <translation>== 为任务 %2 锁定 %1</translation>
    </message>
    <message>
        <source>locked; current release: %1</source>
        <translation>已锁定；当前版本：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>== 07 patch with the lock</source>
        <translation>== 07 随加锁命令打补丁</translation>
    </message>
    <message>
        <source>Switching to %1</source>
        <translation>切换到 %1</translation>
    </message>
    <message>
        <source>lock released</source>
        <translation>已释放锁</translation>
    </message>
    <message>
        <source>Release %1 is not on this server (it has: %2).</source>
        <translation>版本 %1 不在这台服务器上（它有：%2）。</translation>
    </message>
    <message>
        <source>no releases</source>
        <translation>没有版本</translation>
    </message>
    <message>
        <source>Roll back to a release every server still keeps, or release that version again.</source>
        <translation>请回滚到所有服务器都保留的版本，或重新发布那个版本。</translation>
    </message>
    <message>
        <source>%1 is being deployed by someone else: %2</source>
        <translation>其他人正在部署 %1：%2</translation>
    </message>
    <message>
        <source>Wait for that release to finish. If its owner is gone, break the stale lock explicitly.</source>
        <translation>请等待那次发布完成。如果发布者已不在，请显式解除这个过期的锁。</translation>
    </message>
    <message>
        <source>Taking the deploy lock on %1 failed: %2</source>
        <translation>获取 %1 上的部署锁失败：%2</translation>
    </message>
    <message>
        <source>Check that the deploy root is writable by the SSH user and the disk is not full.</source>
        <translation>请检查 SSH 用户是否可以写入部署根目录，以及磁盘是否已满。</translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation>完整包：%1</translation>
    </message>
    <message>
        <source>== 06 upload %1 to %2</source>
        <translation>== 06 上传 %1 到 %2</translation>
    </message>
    <message>
        <source>== 07 unpack and before-release hook</source>
        <translation>== 07 解包并运行发布前钩子</translation>
    </message>
    <message>
        <source>Unpacking %1</source>
        <translation>解包 %1</translation>
    </message>
    <message>
        <source>The before-release hook</source>
        <translation>发布前钩子</translation>
    </message>
    <message>
        <source>== 08 switch current to %1</source>
        <translation>== 08 将 current 切换到 %1</translation>
    </message>
    <message>
        <source>== 09 after-release hook</source>
        <translation>== 09 发布后钩子</translation>
    </message>
    <message>
        <source>The after-release hook</source>
        <translation>发布后钩子</translation>
    </message>
    <message>
        <source>== 10 health check</source>
        <translation>== 10 健康检查</translation>
    </message>
    <message>
        <source>The health check</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <source>switching back to %1</source>
        <translation>正在切回 %1</translation>
    </message>
    <message>
        <source>Switching back to %1</source>
        <translation>切回 %1</translation>
    </message>
    <message>
        <source>== abort: switch %1 back</source>
        <translation>== 中止：切回 %1 之前的版本</translation>
    </message>
    <message>
        <source>Not switched back: another release holds %1 now (%2); the server still runs %3.</source>
        <translation>未切回：另一次发布正占用 %1（%2）；该服务器仍运行 %3。</translation>
    </message>
    <message>
        <source>Leave it to that release, or roll the server back once it is over.</source>
        <translation>交由那次发布处理，或在其结束后回滚该服务器。</translation>
    </message>
    <message>
        <source>Taking the deploy lock back</source>
        <translation>重新获取部署锁</translation>
    </message>
    <message>
        <source>Reading the server&apos;s releases</source>
        <translation>读取服务器上的版本</translation>
    </message>
    <message>
        <source>runs %1, not %2: left as it is</source>
        <translation>运行的是 %1 而非 %2：保持不变</translation>
    </message>
    <message>
        <source>no release</source>
        <translation>无版本</translation>
    </message>
    <message>
        <source>Not switched back: the server keeps no earlier release; it still runs %1.</source>
        <translation>未切回：该服务器没有保留更早的版本；仍运行 %1。</translation>
    </message>
    <message>
        <source>Release the version it should run to it, or promote the task.</source>
        <translation>请向其发布应运行的版本，或推广该任务。</translation>
    </message>
    <message>
        <source>%1 The server still runs %2.</source>
        <translation>%1 该服务器仍运行 %2。</translation>
    </message>
</context>
<context>
    <name>ReleaseListing</name>
    <message>
        <source>Could not open the object database</source>
        <translation>无法打开对象数据库</translation>
    </message>
    <message>
        <source>Could not read %1 from the mirror</source>
        <translation>无法从镜像读取 %1</translation>
    </message>
</context>
<context>
    <name>ReleasePlan</name>
    <message>
        <source>The task&apos;s plan names an unknown release kind &quot;%1&quot;.</source>
        <translation>任务计划中的发布方式“%1”未知。</translation>
    </message>
    <message>
        <source>The task file was written by another version of ReleaseDesk or was edited by hand.</source>
        <translation>任务文件由其他版本的 ReleaseDesk 写入，或被手工修改过。</translation>
    </message>
    <message>
        <source>The task&apos;s plan has no task id, project or environment.</source>
        <translation>任务计划中缺少任务编号、项目或环境。</translation>
    </message>
    <message>
        <source>full</source>
        <translation>全量</translation>
    </message>
    <message>
        <source>rolling</source>
        <translation>滚动</translation>
    </message>
    <message>
        <source>gray</source>
        <translation>灰度</translation>
    </message>
    <message>
        <source>patch</source>
        <translation>补丁</translation>
    </message>
    <message>
        <source>rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>The plan of task %1 breaks the rules of a new plan: %2</source>
        <translation>任务 %1 的计划不符合新计划的规则：%2</translation>
    </message>
    <message>
        <source>The task file was edited by hand or damaged; start a new release instead.</source>
        <translation>任务文件被手工修改或已损坏；请改为发起新的发布。</translation>
    </message>
    <message>
        <source>the task id &quot;%1&quot; is not a plain name.</source>
        <translation>任务编号“%1”不是普通名称。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a release id of project %2.</source>
        <translation>“%1”不是项目 %2 的发布编号。</translation>
    </message>
    <message>
        <source>the servers are missing or named twice.</source>
        <translation>服务器缺失或重复。</translation>
    </message>
    <message>
        <source>the canary &quot;%1&quot; is not one of the servers.</source>
        <translation>金丝雀“%1”不在服务器列表中。</translation>
    </message>
    <message>
        <source>the commit &quot;%1&quot; is not a full commit id.</source>
        <translation>提交“%1”不是完整的提交编号。</translation>
    </message>
    <message>
        <source>the rollback target is not the plan&apos;s version.</source>
        <translation>回滚目标与计划的版本不一致。</translation>
    </message>
    <message>
        <source>the base commit &quot;%1&quot; is not a full commit id.</source>
        <translation>基准提交“%1”不是完整的提交编号。</translation>
    </message>
    <message>
        <source>the base listing is not a sha256 digest.</source>
        <translation>基准清单不是 sha256 摘要。</translation>
    </message>
    <message>
        <source>a count, limit or timeout is out of range.</source>
        <translation>某个数量、限制或超时超出范围。</translation>
    </message>
    <message>
        <source>the package &quot;%1&quot; is not a package file with its checksum.</source>
        <translation>包“%1”不是带校验和的包文件。</translation>
    </message>
</context>
<context>
    <name>ReleasePlanner</name>
    <message>
        <source>There is no project &quot;%1&quot;.</source>
        <translation>没有项目“%1”。</translation>
    </message>
    <message>
        <source>Check the name in the inventory.</source>
        <translation>请检查清单中的名称。</translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no environment &quot;%2&quot;.</source>
        <translation>项目“%1”没有环境“%2”。</translation>
    </message>
    <message>
        <source>Check the name, or add the environment first.</source>
        <translation>请检查名称，或先添加该环境。</translation>
    </message>
    <message>
        <source>The start time %1 has already passed.</source>
        <translation>开始时间 %1 已经过去。</translation>
    </message>
    <message>
        <source>Choose a time in the future, or start now.</source>
        <translation>请选择将来的时间，或者现在开始。</translation>
    </message>
    <message>
        <source>Environment %1/%2 has no enabled servers.</source>
        <translation>环境 %1/%2 没有启用的服务器。</translation>
    </message>
    <message>
        <source>Assign servers to it first.</source>
        <translation>请先为它分配服务器。</translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; is not an enabled server of %2/%3.</source>
        <translation>服务器“%1”不是 %2/%3 的已启用服务器。</translation>
    </message>
    <message>
        <source>Choose among: %1.</source>
        <translation>请从以下选择：%1。</translation>
    </message>
    <message>
        <source>A gray release needs at least one canary server.</source>
        <translation>灰度发布至少需要一台金丝雀服务器。</translation>
    </message>
    <message>
        <source>Choose the servers that get the release first.</source>
        <translation>请选择先获得发布的服务器。</translation>
    </message>
    <message>
        <source>Canary &quot;%1&quot; is not one of the servers of this release.</source>
        <translation>金丝雀“%1”不是本次发布的服务器之一。</translation>
    </message>
    <message>
        <source>Choose canaries among: %1.</source>
        <translation>请从以下选择金丝雀：%1。</translation>
    </message>
    <message>
        <source>Every server is a canary: nothing would wait for the promotion.</source>
        <translation>所有服务器都是金丝雀：没有服务器会等待推广。</translation>
    </message>
    <message>
        <source>Leave at least one server out of the canaries, or make a full release.</source>
        <translation>请至少留一台服务器不作为金丝雀，或者进行全量发布。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a release id of project %2.</source>
        <translation>“%1”不是项目 %2 的版本编号。</translation>
    </message>
    <message>
        <source>Release ids look like %1-v12-20261123101500; &quot;release status&quot; lists the kept ones.</source>
        <translation>版本编号形如 %1-v12-20261123101500；“release status”会列出保留的版本。</translation>
    </message>
    <message>
        <source>Project &quot;%1&quot; has no local mirror yet.</source>
        <translation>项目“%1”还没有本地镜像。</translation>
    </message>
    <message>
        <source>Fetch it first: releasedesk-cli mirror fetch %1</source>
        <translation>请先拉取：releasedesk-cli mirror fetch %1</translation>
    </message>
    <message>
        <source>No earlier release of %1/%2 says which commit the servers run.</source>
        <translation>%1/%2 以前的发布都没有说明服务器运行的是哪个提交。</translation>
    </message>
    <message>
        <source>Name the base commit, or make a full release first.</source>
        <translation>请指定基准提交，或先进行一次全量发布。</translation>
    </message>
    <message>
        <source>The servers already run %1: a patch would change nothing.</source>
        <translation>服务器已经运行 %1：补丁不会改变任何东西。</translation>
    </message>
    <message>
        <source>Choose a newer commit.</source>
        <translation>请选择更新的提交。</translation>
    </message>
    <message>
        <source>A patch release carries the changed files of the tree only and cannot run a build hook.</source>
        <translation>补丁发布只携带代码树中变更的文件，不能运行构建钩子。</translation>
    </message>
    <message>
        <source>Make a full release for a project that is built.</source>
        <translation>需要构建的项目请进行全量发布。</translation>
    </message>
    <message>
        <source>a fresh complete unpack was asked for</source>
        <translation>已要求重新完整解包</translation>
    </message>
    <message>
        <source>no earlier release of %1/%2 to build on</source>
        <translation>%1/%2 之前没有可作为基础的发布</translation>
    </message>
    <message>
        <source>the live commit %1 is not in the local mirror</source>
        <translation>线上提交 %1 不在本地镜像中</translation>
    </message>
    <message>
        <source>the after-download hook builds files, which only the whole package carries</source>
        <translation>下载后钩子会构建文件，只有完整包才包含它们</translation>
    </message>
    <message>
        <source>the change deletes too many paths to send as a delta</source>
        <translation>此次变更删除的路径太多，无法作为增量发送</translation>
    </message>
</context>
<context>
    <name>ReleaseProgress</name>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n 台失败</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RemoteLayout</name>
    <message>
        <source>The patch deletes &quot;%1&quot;, which is not a path inside the release.</source>
        <translation>补丁要删除“%1”，它不是发布目录内的路径。</translation>
    </message>
    <message>
        <source>Make a full release instead.</source>
        <translation>请改为全量发布。</translation>
    </message>
    <message numerus="yes">
        <source>The patch deletes %n path(s), too many to send in one command.</source>
        <translation>
            <numerusform>补丁要删除 %n 个路径，太多了，无法在一条命令中发送。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerCommands</name>
    <message>
        <source>server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>--enable and --disable contradict each other.</source>
        <translation>--enable 和 --disable 不能同时使用。</translation>
    </message>
    <message>
        <source>Give one of them.</source>
        <translation>请只指定其中一个。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>HOST</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>PORT</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>USER</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>KEY</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>TAGS</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>ENABLED</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Used by</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>The server needs a host.</source>
        <translation>服务器需要一个主机地址。</translation>
    </message>
    <message>
        <source>Add --host, for example --host web-01.example.com.</source>
        <translation>请加上 --host，例如 --host web-01.example.com。</translation>
    </message>
    <message>
        <source>Added server %1 (%2:%3).</source>
        <translation>已添加服务器 %1（%2:%3）。</translation>
    </message>
    <message>
        <source>Saved server %1.</source>
        <translation>已保存服务器 %1。</translation>
    </message>
    <message>
        <source>The server %1 is still used by: %2.</source>
        <translation>服务器 %1 仍被以下环境使用：%2。</translation>
    </message>
    <message>
        <source>Take it out of those environments first (env unassign PROJECT/ENV %1).</source>
        <translation>请先将它移出这些环境（env unassign 项目/环境 %1）。</translation>
    </message>
    <message>
        <source>Removed server %1.</source>
        <translation>已删除服务器 %1。</translation>
    </message>
    <message>
        <source>Host name or IP address.</source>
        <translation>主机名或 IP 地址。</translation>
    </message>
    <message>
        <source>H</source>
        <translation>H</translation>
    </message>
    <message>
        <source>SSH port (default 22).</source>
        <translation>SSH 端口（默认 22）。</translation>
    </message>
    <message>
        <source>P</source>
        <translation>P</translation>
    </message>
    <message>
        <source>Name of the key to log in with (empty: none).</source>
        <translation>登录所用密钥的名称（留空：不使用密钥）。</translation>
    </message>
    <message>
        <source>K</source>
        <translation>K</translation>
    </message>
    <message>
        <source>Login name (default: the key&apos;s).</source>
        <translation>登录名（默认：密钥的用户）。</translation>
    </message>
    <message>
        <source>U</source>
        <translation>U</translation>
    </message>
    <message>
        <source>Department.</source>
        <translation>部门。</translation>
    </message>
    <message>
        <source>D</source>
        <translation>D</translation>
    </message>
    <message>
        <source>Owner.</source>
        <translation>负责人。</translation>
    </message>
    <message>
        <source>O</source>
        <translation>O</translation>
    </message>
    <message>
        <source>A tag; repeat for more (replaces the tags).</source>
        <translation>标签；可重复指定多个（替换原有标签）。</translation>
    </message>
    <message>
        <source>T</source>
        <translation>T</translation>
    </message>
    <message>
        <source>Free notes.</source>
        <translation>备注（自由文本）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Deploy to this server.</source>
        <translation>部署到此服务器。</translation>
    </message>
    <message>
        <source>Keep the server but skip it in releases.</source>
        <translation>保留该服务器，但发布时跳过它。</translation>
    </message>
    <message>
        <source>New name.</source>
        <translation>新名称。</translation>
    </message>
    <message>
        <source>NEW</source>
        <translation>新名称</translation>
    </message>
    <message>
        <source>Servers to deploy to</source>
        <translation>部署的目标服务器</translation>
    </message>
    <message>
        <source>[--tag T ...]</source>
        <translation>[--tag T ...]</translation>
    </message>
    <message>
        <source>List the servers, optionally only those with all given tags.</source>
        <translation>列出服务器；可只列出带有全部指定标签的服务器。</translation>
    </message>
    <message>
        <source>Only servers with this tag.</source>
        <translation>只列出带有此标签的服务器。</translation>
    </message>
    <message>
        <source>Show one server and the environments it is in.</source>
        <translation>显示一台服务器及其所属的环境。</translation>
    </message>
    <message>
        <source>NAME --host H [--port P] [--key K] [--user U] [--department D] [--owner O] [--tag T ...] [--notes N]</source>
        <translation>名称 --host H [--port P] [--key K] [--user U] [--department D] [--owner O] [--tag T ...] [--notes N]</translation>
    </message>
    <message>
        <source>Add a server.</source>
        <translation>添加服务器。</translation>
    </message>
    <message>
        <source>NAME [the options of add] [--name NEW] [--enable|--disable]</source>
        <translation>名称 [add 的选项] [--name 新名称] [--enable|--disable]</translation>
    </message>
    <message>
        <source>Change a server; options not given stay as they are.</source>
        <translation>修改服务器；未指定的选项保持不变。</translation>
    </message>
    <message>
        <source>Remove a server no environment uses.</source>
        <translation>删除没有环境使用的服务器。</translation>
    </message>
</context>
<context>
    <name>SharedPaths</name>
    <message>
        <source>&quot;%1&quot; is not a full commit id.</source>
        <translation>“%1”不是完整的提交 ID。</translation>
    </message>
    <message>
        <source>Could not read the tree of %1</source>
        <translation>无法读取 %1 的目录树</translation>
    </message>
    <message>
        <source>Change the environment&apos;s shared paths, or the repository, so that every folder above a shared path is a folder (or absent) and no shared path is a symlink.</source>
        <translation>请修改环境的共享路径或仓库，使共享路径之上的每一级都是文件夹（或不存在），且共享路径本身不是符号链接。</translation>
    </message>
    <message>
        <source>Commit %1 has a symlink at &quot;%2&quot;, where the shared path &quot;%3&quot; goes: the link to the shared data could lead anywhere.</source>
        <translation>提交 %1 在“%2”处有一个符号链接，而共享路径“%3”正位于此处：指向共享数据的链接可能被引到任何地方。</translation>
    </message>
    <message>
        <source>Commit %1 has a file at &quot;%2&quot;, where the shared path &quot;%3&quot; needs a folder.</source>
        <translation>提交 %1 在“%2”处有一个文件，而共享路径“%3”在此处需要一个文件夹。</translation>
    </message>
</context>
<context>
    <name>SshCommands</name>
    <message>
        <source>No servers were chosen.</source>
        <translation>没有选择任何服务器。</translation>
    </message>
    <message>
        <source>Name servers, or use --env PROJECT/ENV or --all.</source>
        <translation>请列出服务器名称，或使用 --env 项目/环境 或 --all。</translation>
    </message>
    <message>
        <source>The servers of this environment.</source>
        <translation>该环境中的服务器。</translation>
    </message>
    <message>
        <source>PROJECT/ENV</source>
        <translation>项目/环境</translation>
    </message>
    <message>
        <source>Every enabled server.</source>
        <translation>所有已启用的服务器。</translation>
    </message>
    <message>
        <source>Servers at once (default 20).</source>
        <translation>同时处理的服务器数（默认 20）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Seconds to wait for each server (default 10).</source>
        <translation>每台服务器的等待秒数（默认 10）。</translation>
    </message>
    <message>
        <source>SECONDS</source>
        <translation>秒数</translation>
    </message>
    <message>
        <source>The host key of %1 port %2 is not known yet.
  %3 %4
Trust it and remember it? [yes/once/NO] </source>
        <translation>%1 端口 %2 的主机密钥尚未登记。
  %3 %4
是否信任并记住它？（once 表示仅本次信任）[yes/once/NO] </translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Signed in with</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>%1 of %2 servers failed the check.</source>
        <translation>%2 台服务器中有 %1 台检查失败。</translation>
    </message>
    <message>
        <source>Each server&apos;s error is listed above.</source>
        <translation>每台服务器的错误已在上方列出。</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Stored fingerprint</source>
        <translation>已保存的指纹</translation>
    </message>
    <message>
        <source>%1 server(s) offer a key that differs from the stored one.</source>
        <translation>有 %1 台服务器提供的密钥与已保存的不同。</translation>
    </message>
    <message>
        <source>Verify the new fingerprints on the servers, then run releasedesk-cli hostkeys forget SERVER and scan again.</source>
        <translation>请在服务器上核对新的指纹，然后运行 releasedesk-cli hostkeys forget 服务器 并重新扫描。</translation>
    </message>
    <message>
        <source>%1 of %2 servers could not be reached.</source>
        <translation>%2 台服务器中有 %1 台无法连接。</translation>
    </message>
    <message>
        <source>Keys removed</source>
        <translation>已删除的密钥数</translation>
    </message>
    <message>
        <source>Trust and remember the keys of servers met for the first time.</source>
        <translation>信任并记住首次连接的服务器的密钥。</translation>
    </message>
    <message>
        <source>Reaching the servers</source>
        <translation>连接服务器</translation>
    </message>
    <message>
        <source>[SERVER...]</source>
        <translation>[服务器...]</translation>
    </message>
    <message>
        <source>Connect, sign in and run `true` on each server; report each one.</source>
        <translation>连接并登录每台服务器，运行 `true`，逐台报告结果。</translation>
    </message>
    <message>
        <source>Remember every new key found (changed keys never).</source>
        <translation>记住发现的所有新密钥（已变更的密钥永远不会记住）。</translation>
    </message>
    <message>
        <source>The servers&apos; host keys in ReleaseDesk&apos;s known_hosts</source>
        <translation>ReleaseDesk 的 known_hosts 中记录的服务器主机密钥</translation>
    </message>
    <message>
        <source>Fetch the host keys of many servers at once and show them, to approve them together.</source>
        <translation>一次获取多台服务器的主机密钥并显示出来，以便一起批准。</translation>
    </message>
    <message>
        <source>SERVER...</source>
        <translation>服务器...</translation>
    </message>
    <message>
        <source>Remove the stored host keys of servers whose keys really changed.</source>
        <translation>删除主机密钥确实已更换的服务器的已保存密钥。</translation>
    </message>
    <message>
        <source>[FILE]</source>
        <translation>[文件]</translation>
    </message>
    <message>
        <source>Copy the entries of an OpenSSH known_hosts file (default ~/.ssh/known_hosts).</source>
        <translation>复制 OpenSSH known_hosts 文件中的条目（默认 ~/.ssh/known_hosts）。</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Name an OpenSSH known_hosts file, usually ~/.ssh/known_hosts.</source>
        <translation>请指定 OpenSSH 的 known_hosts 文件，通常为 ~/.ssh/known_hosts。</translation>
    </message>
    <message>
        <source>%1 host key(s) imported from %2; %3 already known; %4 line(s) skipped.</source>
        <translation>已从 %2 导入 %1 个主机密钥；%3 个已存在；跳过 %4 行。</translation>
    </message>
    <message>
        <source>... and %1 more.</source>
        <translation>……另有 %1 行。</translation>
    </message>
</context>
<context>
    <name>SshConfigImporter</name>
    <message>
        <source>%1: a quote is not closed.</source>
        <translation>%1：引号未闭合。</translation>
    </message>
    <message>
        <source>Close the quote, as ssh would refuse this file too.</source>
        <translation>请补全引号，否则 ssh 同样会拒绝此文件。</translation>
    </message>
    <message>
        <source>%1: the host pattern &quot;%2&quot; is not a server of its own; its settings apply to the hosts it matches.</source>
        <translation>%1：主机模式“%2”本身不是一台服务器；它的设置会应用到它所匹配的主机上。</translation>
    </message>
    <message>
        <source>%1: the Match block &quot;%2&quot; was skipped: its conditions depend on the moment of connection.</source>
        <translation>%1：已跳过 Match 块“%2”：它的条件取决于连接时的情况。</translation>
    </message>
    <message>
        <source>%1: Include is nested more than %2 levels deep.</source>
        <translation>%1：Include 的嵌套超过了 %2 层。</translation>
    </message>
    <message>
        <source>Check the configuration for files that include each other.</source>
        <translation>请检查配置中是否有相互包含的文件。</translation>
    </message>
    <message>
        <source>%1: Include &quot;%2&quot; matches no file.</source>
        <translation>%1：Include “%2”没有匹配到任何文件。</translation>
    </message>
    <message>
        <source>The key for %1 could not be created: %2</source>
        <translation>无法为 %1 创建密钥：%2</translation>
    </message>
    <message>
        <source>Host &quot;%1&quot; was skipped: %2</source>
        <translation>已跳过主机“%1”：%2</translation>
    </message>
    <message>
        <source>its HostName &quot;%1&quot; uses a %-token that has no value at import time.</source>
        <translation>其 HostName“%1”使用了导入时无法取值的 %-token。</translation>
    </message>
    <message>
        <source>its IdentityFile &quot;%1&quot; uses a %-token that has no value at import time.</source>
        <translation>其 IdentityFile“%1”使用了导入时无法取值的 %-token。</translation>
    </message>
    <message>
        <source>Host &quot;%1&quot; names %2 identity files; the first, %3, is used.</source>
        <translation>主机“%1”指定了 %2 个 IdentityFile；将使用第一个：%3。</translation>
    </message>
    <message>
        <source>The ssh configuration</source>
        <translation>ssh 配置</translation>
    </message>
    <message>
        <source>%1: the line is %2 characters long.</source>
        <translation>%1：该行长 %2 个字符。</translation>
    </message>
    <message>
        <source>No ssh option needs more than %1; check that this is an ssh client configuration.</source>
        <translation>任何 ssh 选项都不需要超过 %1 个字符；请确认这是 ssh 客户端配置。</translation>
    </message>
    <message>
        <source>%1: the configuration names more than %2 hosts.</source>
        <translation>%1：配置中的主机超过 %2 个。</translation>
    </message>
    <message>
        <source>Split it, or import the fleet from an Ansible or JSON inventory.</source>
        <translation>请拆分它，或从 Ansible 或 JSON 清单导入服务器。</translation>
    </message>
</context>
<context>
    <name>SshSession</name>
    <message>
        <source>%1 (%2 port %3)</source>
        <translation>%1（%2 端口 %3）</translation>
    </message>
    <message>
        <source>%1 on %2: the connection was lost (%3).</source>
        <translation>在 %2 上%1：连接已断开（%3）。</translation>
    </message>
    <message>
        <source>Check that the server and its sshd are still running, then retry.</source>
        <translation>请检查服务器及其 sshd 是否仍在运行，然后重试。</translation>
    </message>
    <message>
        <source>%1 on %2: %3</source>
        <translation>在 %2 上%1：%3</translation>
    </message>
    <message>
        <source>error %1</source>
        <translation>错误 %1</translation>
    </message>
    <message>
        <source>Cancelled while talking to %1.</source>
        <translation>与 %1 通信时已取消。</translation>
    </message>
    <message>
        <source>%1 did not answer in time.</source>
        <translation>%1 未能及时响应。</translation>
    </message>
    <message>
        <source>Check the network and the server&apos;s load, or raise the time limit.</source>
        <translation>请检查网络和服务器负载，或提高超时时间。</translation>
    </message>
    <message>
        <source>Could not resolve %1: %2.</source>
        <translation>无法解析 %1：%2。</translation>
    </message>
    <message>
        <source>Check the host name, or use its IP address.</source>
        <translation>请检查主机名，或改用其 IP 地址。</translation>
    </message>
    <message>
        <source>Cancelled while connecting to %1.</source>
        <translation>连接 %1 时已取消。</translation>
    </message>
    <message>
        <source>Could not connect to %1: no answer within %2 s.</source>
        <translation>无法连接 %1：%2 秒内无响应。</translation>
    </message>
    <message>
        <source>Check that the server is up and that no firewall drops SSH traffic.</source>
        <translation>请检查服务器是否已启动，以及是否有防火墙丢弃了 SSH 流量。</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>无法连接 %1：%2。</translation>
    </message>
    <message>
        <source>Check that the server is up, that sshd listens on port %1 and that no firewall blocks it.</source>
        <translation>请检查服务器是否已启动、sshd 是否在端口 %1 上监听，以及是否有防火墙拦截。</translation>
    </message>
    <message>
        <source>Could not create an SSH session for %1.</source>
        <translation>无法为 %1 创建 SSH 会话。</translation>
    </message>
    <message>
        <source>The system may be out of memory.</source>
        <translation>系统可能内存不足。</translation>
    </message>
    <message>
        <source>The SSH handshake failed</source>
        <translation>进行 SSH 握手失败</translation>
    </message>
    <message>
        <source>Check that the port belongs to an SSH server and that it accepts modern algorithms (curve25519 or ECDH key exchange, AES-CTR, HMAC-SHA2).</source>
        <translation>请确认该端口上运行的是 SSH 服务器，并且它接受现代算法（curve25519 或 ECDH 密钥交换、AES-CTR、HMAC-SHA2）。</translation>
    </message>
    <message>
        <source>The server sent no host key</source>
        <translation>服务器未发送主机密钥</translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk&apos;s known hosts.</source>
        <translation>%1 的主机密钥（%2 %3）在 ReleaseDesk 的 known_hosts 中被标记为已吊销。</translation>
    </message>
    <message>
        <source>Do not connect until the server has a new key.</source>
        <translation>在服务器换上新密钥之前，请不要连接。</translation>
    </message>
    <message>
        <source>The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). The connection was refused: someone may be intercepting it.</source>
        <translation>%1 的主机密钥已变更！已保存：%2。当前提供：%3（%4）。连接已被拒绝：可能有人正在拦截该连接。</translation>
    </message>
    <message>
        <source>If the server was reinstalled or its keys rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then replace the stored key (releasedesk-cli hostkeys forget %1, or the host key dialog).</source>
        <translation>如果服务器重装过或轮换过密钥，请在服务器上核对新的指纹（ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub），然后替换已保存的密钥（releasedesk-cli hostkeys forget %1，或使用主机密钥对话框）。</translation>
    </message>
    <message>
        <source>The host key of %1 (%2 %3) is not known and was not accepted.</source>
        <translation>%1 的主机密钥（%2 %3）未登记，且未被接受。</translation>
    </message>
    <message>
        <source>Compare the fingerprint with the server&apos;s (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it, or scan and approve the fleet&apos;s keys first.</source>
        <translation>请将该指纹与服务器上的指纹（ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub）比对后再接受，或先扫描并批准整批服务器的密钥。</translation>
    </message>
    <message>
        <source>Asking for the authentication methods failed</source>
        <translation>查询认证方式失败</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>ssh-agent (not reachable: is SSH_AUTH_SOCK set?)</source>
        <translation>ssh-agent（无法连接：是否设置了 SSH_AUTH_SOCK？）</translation>
    </message>
    <message>
        <source>ssh-agent (could not list its keys)</source>
        <translation>ssh-agent（无法列出其中的密钥）</translation>
    </message>
    <message>
        <source>ssh-agent key %1</source>
        <translation>ssh-agent 密钥 %1</translation>
    </message>
    <message>
        <source>ssh-agent (it holds no keys)</source>
        <translation>ssh-agent（其中没有密钥）</translation>
    </message>
    <message>
        <source>stored key</source>
        <translation>存储的密钥</translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation>密钥文件 %1</translation>
    </message>
    <message>
        <source>keyboard-interactive</source>
        <translation>keyboard-interactive</translation>
    </message>
    <message>
        <source>Authentication as %1 on %2 failed. The server offers: %3. Tried: %4.</source>
        <translation>以 %1 身份在 %2 上认证失败。服务器支持：%3。已尝试：%4。</translation>
    </message>
    <message>
        <source>nothing that the server offers</source>
        <translation>没有服务器支持的方式</translation>
    </message>
    <message>
        <source>Check the user name, and that the key&apos;s public part is in that user&apos;s ~/.ssh/authorized_keys on the server; for a key with a passphrase, check the passphrase.</source>
        <translation>请检查用户名，并确认密钥的公钥已写入服务器上该用户的 ~/.ssh/authorized_keys；如果密钥设有口令，请检查口令。</translation>
    </message>
    <message>
        <source>Opening a channel failed</source>
        <translation>打开通道失败</translation>
    </message>
    <message>
        <source>Starting a command failed</source>
        <translation>启动命令失败</translation>
    </message>
    <message>
        <source>Sending data failed</source>
        <translation>发送数据失败</translation>
    </message>
    <message>
        <source>Reading a command&apos;s output failed</source>
        <translation>读取命令输出失败</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Check that the file exists and is readable.</source>
        <translation>请检查文件是否存在且可读。</translation>
    </message>
    <message>
        <source>Reading %1 failed: %2</source>
        <translation>读取 %1 失败：%2</translation>
    </message>
    <message>
        <source>The upload of %1 to %2 was cancelled; the partial file was removed.</source>
        <translation>向 %2 上传 %1 已取消；不完整的文件已删除。</translation>
    </message>
    <message>
        <source>Writing %1 on %2 failed: %3</source>
        <translation>在 %2 上写入 %1 失败：%3</translation>
    </message>
    <message>
        <source>Check free space (df) and permissions of the target directory on the server.</source>
        <translation>请检查服务器上目标目录的剩余空间（df）和权限。</translation>
    </message>
    <message>
        <source>The upload to %1 was incomplete (%2); the partial file was removed.</source>
        <translation>上传到 %1 的文件不完整（%2）；不完整的文件已删除。</translation>
    </message>
    <message>
        <source>Check the connection and retry.</source>
        <translation>请检查连接后重试。</translation>
    </message>
    <message>
        <source>The file arrived damaged on %1 (%2); it was removed.</source>
        <translation>文件到达 %1 时已损坏（%2）；已将其删除。</translation>
    </message>
    <message>
        <source>Retry; if it happens again, check the server&apos;s disk and memory.</source>
        <translation>请重试；如果再次发生，请检查服务器的磁盘和内存。</translation>
    </message>
    <message>
        <source>Moving the uploaded file into place as %1 on %2 failed: %3</source>
        <translation>在 %2 上将上传的文件移动到 %1 失败：%3</translation>
    </message>
    <message>
        <source>Check the permissions of the target directory on the server.</source>
        <translation>请检查服务器上目标目录的权限。</translation>
    </message>
    <message>
        <source>The upload to %1 failed with exit code %2: %3</source>
        <translation>上传到 %1 失败，退出码 %2：%3</translation>
    </message>
    <message>
        <source>The server confirmed a different sha256 for %1 on %2.</source>
        <translation>%2 上的 %1 经服务器确认的 sha256 与本地不同。</translation>
    </message>
    <message>
        <source>Retry the upload.</source>
        <translation>请重新上传。</translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation>%1 端口 %2</translation>
    </message>
    <message>
        <source>Closing a command&apos;s input failed</source>
        <translation>关闭命令的输入失败</translation>
    </message>
    <message>
        <source>Waiting for a command to end failed</source>
        <translation>等待命令结束失败</translation>
    </message>
    <message>
        <source>The server needs a POSIX shell with dd or head, wc and sha256sum.</source>
        <translation>服务器需要带有 dd 或 head、wc 和 sha256sum 的 POSIX shell。</translation>
    </message>
</context>
<context>
    <name>SshTargetFactory</name>
    <message>
        <source>Server %1 is disabled.</source>
        <translation>服务器 %1 已停用。</translation>
    </message>
    <message>
        <source>Enable it in the inventory to use it.</source>
        <translation>请在清单中启用它后再使用。</translation>
    </message>
    <message>
        <source>Server %1 has no key.</source>
        <translation>服务器 %1 没有密钥。</translation>
    </message>
    <message>
        <source>Assign a key to it (releasedesk-cli server edit %1 --key NAME).</source>
        <translation>请为它指定密钥（releasedesk-cli server edit %1 --key 名称）。</translation>
    </message>
    <message>
        <source>The key %1 of server %2 is disabled.</source>
        <translation>服务器 %2 的密钥 %1 已停用。</translation>
    </message>
    <message>
        <source>Enable the key or assign another one.</source>
        <translation>请启用该密钥，或指定另一个密钥。</translation>
    </message>
    <message>
        <source>The key %1 of server %2 is stored in the vault, which is locked.</source>
        <translation>服务器 %2 的密钥 %1 存储在保管库中，而保管库已锁定。</translation>
    </message>
    <message>
        <source>Unlock the vault with the master password first.</source>
        <translation>请先用主密码解锁保管库。</translation>
    </message>
    <message>
        <source>Server &quot;%1&quot; is no longer in the inventory.</source>
        <translation>服务器“%1”已不在清单中。</translation>
    </message>
    <message>
        <source>Add it again under the same name, or leave it out.</source>
        <translation>请以相同名称重新添加，或不再使用它。</translation>
    </message>
</context>
<context>
    <name>StoredKeyBuilder</name>
    <message>
        <source>The vault is locked, so the key cannot be stored.</source>
        <translation>保管库已锁定，无法存储密钥。</translation>
    </message>
    <message>
        <source>Unlock the vault with the master password first.</source>
        <translation>请先用主密码解锁保管库。</translation>
    </message>
    <message>
        <source>This private key is protected by a passphrase.</source>
        <translation>此私钥受口令保护。</translation>
    </message>
    <message>
        <source>Type the key&apos;s passphrase as well.</source>
        <translation>请同时输入密钥的口令。</translation>
    </message>
</context>
<context>
    <name>TaskJournal</name>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Check that the data directory is writable and the disk is not full.</source>
        <translation>请检查数据目录是否可写、磁盘是否已满。</translation>
    </message>
    <message>
        <source>Could not read the task&apos;s plan %1: %2</source>
        <translation>无法读取任务计划 %1：%2</translation>
    </message>
    <message>
        <source>Check the task id; &quot;release history&quot; lists the tasks.</source>
        <translation>请检查任务编号；“release history”会列出任务。</translation>
    </message>
    <message>
        <source>The task&apos;s plan %1 is damaged: %2</source>
        <translation>任务计划 %1 已损坏：%2</translation>
    </message>
    <message>
        <source>The task cannot be resumed; start a new one.</source>
        <translation>该任务无法继续；请新建一个任务。</translation>
    </message>
    <message>
        <source>Could not create the task directory %1.</source>
        <translation>无法创建任务目录 %1。</translation>
    </message>
    <message>
        <source>Check that the data directory is writable.</source>
        <translation>请检查数据目录是否可写。</translation>
    </message>
    <message>
        <source>Could not create the directory of task %1 in %2: %3</source>
        <translation>无法在 %2 中创建任务 %1 的目录：%3</translation>
    </message>
    <message>
        <source>There is no release task &quot;%1&quot;.</source>
        <translation>没有发布任务“%1”。</translation>
    </message>
    <message>
        <source>&quot;release history&quot; lists the tasks.</source>
        <translation>“release history”会列出任务。</translation>
    </message>
    <message>
        <source>Could not open the task journal %1: %2</source>
        <translation>无法打开任务记录 %1：%2</translation>
    </message>
    <message>
        <source>Could not write the task journal %1: %2</source>
        <translation>无法写入任务记录 %1：%2</translation>
    </message>
    <message>
        <source>Free some disk space; the task stops so that it can be resumed later.</source>
        <translation>请释放一些磁盘空间；任务将停止，以便稍后继续。</translation>
    </message>
    <message>
        <source>Could not create %1.</source>
        <translation>无法创建 %1。</translation>
    </message>
    <message>
        <source>Could not read the task journal %1: %2</source>
        <translation>无法读取任务记录 %1：%2</translation>
    </message>
    <message>
        <source>Check the permissions of the data directory.</source>
        <translation>请检查数据目录的权限。</translation>
    </message>
    <message>
        <source>The task journal %1 is damaged at line %2: %3</source>
        <translation>任务记录 %1 在第 %2 行损坏：%3</translation>
    </message>
    <message>
        <source>The task cannot be resumed from it; check each server with &quot;release status&quot;.</source>
        <translation>无法据此继续任务；请用“release status”检查每台服务器。</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Missed: nothing ran it at %1.</source>
        <translation>已错过：%1 时没有进程运行它。</translation>
    </message>
    <message>
        <source>A request to %1 from %2 was left by an earlier run and is ignored.</source>
        <translation>来自 %2 的 %1 请求是之前的运行遗留的，已忽略。</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>未知时间</translation>
    </message>
</context>
<context>
    <name>TaskStatus</name>
    <message>
        <source>scheduled</source>
        <translation>已计划</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>awaiting promotion</source>
        <translation>等待推广</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>aborted</source>
        <translation>已中止</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>已错过</translation>
    </message>
</context>
<context>
    <name>TransferCommands</name>
    <message>
        <source>warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Check that the directory exists and is writable.</source>
        <translation>请检查目录是否存在且可写。</translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation>已写入 %1。</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Check the path.</source>
        <translation>请检查路径。</translation>
    </message>
    <message>
        <source>Added %1, updated %2, skipped %3.</source>
        <translation>新增 %1 项，更新 %2 项，跳过 %3 项。</translation>
    </message>
    <message>
        <source>Export password</source>
        <translation>导出密码</translation>
    </message>
    <message>
        <source>Give the path of an OpenSSH client configuration.</source>
        <translation>请给出 OpenSSH 客户端配置文件的路径。</translation>
    </message>
    <message>
        <source>The Ansible inventory format is missing.</source>
        <translation>缺少 Ansible 清单格式。</translation>
    </message>
    <message>
        <source>The Ansible inventory format &quot;%1&quot; is unknown.</source>
        <translation>未知的 Ansible 清单格式“%1”。</translation>
    </message>
    <message>
        <source>Give --format ini or --format yaml.</source>
        <translation>请指定 --format ini 或 --format yaml。</translation>
    </message>
    <message>
        <source>Say what the groups of the inventory become, exactly once.</source>
        <translation>请指定清单中的组要转换成什么，且只能指定一种。</translation>
    </message>
    <message>
        <source>Give --project P (groups become its environments) or --as-tags.</source>
        <translation>请指定 --project P（组成为该项目的环境）或 --as-tags。</translation>
    </message>
    <message>
        <source>--root only goes with --project.</source>
        <translation>--root 只能与 --project 一起使用。</translation>
    </message>
    <message>
        <source>Tags have no deploy root; drop --root or use --project.</source>
        <translation>标签没有部署根目录；请去掉 --root，或改用 --project。</translation>
    </message>
    <message>
        <source>ini or yaml.</source>
        <translation>ini 或 yaml。</translation>
    </message>
    <message>
        <source>FORMAT</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Write to this file (mode 0600) instead of stdout.</source>
        <translation>写入此文件（权限 0600），而不是 stdout。</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>Write the inventory out</source>
        <translation>导出清单</translation>
    </message>
    <message>
        <source>[--output F] [--with-secrets]</source>
        <translation>[--output F] [--with-secrets]</translation>
    </message>
    <message>
        <source>The whole inventory as JSON. With --with-secrets, stored private keys are included, sealed under an export password (RELEASEDESK_EXPORT_PASSWORD, stdin or prompt); this needs the master password.</source>
        <translation>以 JSON 格式导出整个清单。加上 --with-secrets 时会包含存储的私钥，并用导出密码加密（取自 RELEASEDESK_EXPORT_PASSWORD、stdin 或提示输入）；这需要主密码。</translation>
    </message>
    <message>
        <source>Include the stored private keys, sealed.</source>
        <translation>包含存储的私钥（加密）。</translation>
    </message>
    <message>
        <source>--format ini|yaml [--output F]</source>
        <translation>--format ini|yaml [--output F]</translation>
    </message>
    <message>
        <source>Servers and environments as an Ansible inventory; one group per environment.</source>
        <translation>以 Ansible 清单格式导出服务器和环境；每个环境一个组。</translation>
    </message>
    <message>
        <source>Merge inventory from files; entries with the same name are updated</source>
        <translation>从文件合并清单；同名条目会被更新</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>A ReleaseDesk JSON export. Sealed private keys need the export password and the master password.</source>
        <translation>ReleaseDesk 导出的 JSON 文件。其中加密的私钥需要导出密码和主密码。</translation>
    </message>
    <message>
        <source>[FILE]</source>
        <translation>[文件]</translation>
    </message>
    <message>
        <source>Servers from an OpenSSH client configuration (default ~/.ssh/config).</source>
        <translation>从 OpenSSH 客户端配置导入服务器（默认 ~/.ssh/config）。</translation>
    </message>
    <message>
        <source>FILE --format ini|yaml (--project P [--root PATH] | --as-tags)</source>
        <translation>文件 --format ini|yaml (--project P [--root 路径] | --as-tags)</translation>
    </message>
    <message>
        <source>Hosts of an Ansible inventory become servers; its groups become environments of project P (deploy root from the group&apos;s releasedesk_deploy_root, else --root) or tags.</source>
        <translation>Ansible 清单中的主机导入为服务器；其中的组导入为项目 P 的环境（部署根目录取自组的 releasedesk_deploy_root，否则取 --root）或标签。</translation>
    </message>
    <message>
        <source>Project whose environments the groups become.</source>
        <translation>组将成为该项目的环境。</translation>
    </message>
    <message>
        <source>P</source>
        <translation>P</translation>
    </message>
    <message>
        <source>Deploy root of those environments.</source>
        <translation>这些环境的部署根目录。</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Groups become tags on their hosts.</source>
        <translation>组成为其主机上的标签。</translation>
    </message>
    <message>
        <source>The inventory file</source>
        <translation>清单文件</translation>
    </message>
</context>
<context>
    <name>Validator</name>
    <message>
        <source>The name is empty.</source>
        <translation>名称为空。</translation>
    </message>
    <message>
        <source>Enter a short name such as web-01.</source>
        <translation>请输入一个简短的名称，例如 web-01。</translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is not allowed.</source>
        <translation>名称“%1”不符合要求。</translation>
    </message>
    <message>
        <source>Use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or digit.</source>
        <translation>请使用 1 到 64 个字母、数字、&apos;.&apos;、&apos;_&apos; 或 &apos;-&apos;，并以字母或数字开头。</translation>
    </message>
    <message>
        <source>The user name is empty.</source>
        <translation>用户名为空。</translation>
    </message>
    <message>
        <source>Enter the remote login, for example deploy.</source>
        <translation>请输入远程登录名，例如 deploy。</translation>
    </message>
    <message>
        <source>The user name &quot;%1&quot; is not a valid login.</source>
        <translation>用户名“%1”不是有效的登录名。</translation>
    </message>
    <message>
        <source>Use up to 32 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter or &apos;_&apos;.</source>
        <translation>请使用最多 32 个字母、数字、&apos;.&apos;、&apos;_&apos; 或 &apos;-&apos;，并以字母或 &apos;_&apos; 开头。</translation>
    </message>
    <message>
        <source>The host is empty.</source>
        <translation>主机为空。</translation>
    </message>
    <message>
        <source>Enter a host name or an IPv4 or IPv6 address.</source>
        <translation>请输入主机名，或 IPv4、IPv6 地址。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid IPv6 address.</source>
        <translation>“%1”不是有效的 IPv6 地址。</translation>
    </message>
    <message>
        <source>Write it like 2001:db8::10, without a port or zone.</source>
        <translation>写法如 2001:db8::10，不要带端口或区域（zone）。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid IPv4 address.</source>
        <translation>“%1”不是有效的 IPv4 地址。</translation>
    </message>
    <message>
        <source>Use four numbers from 0 to 255 separated by dots, like 192.0.2.10.</source>
        <translation>请使用以点分隔的四个 0 到 255 之间的数字，例如 192.0.2.10。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid host name.</source>
        <translation>“%1”不是有效的主机名。</translation>
    </message>
    <message>
        <source>A host name is made of dot-separated labels of letters, digits and inner &apos;-&apos;, each at most 63 characters (RFC 1123).</source>
        <translation>主机名由以点分隔的标签组成，标签由字母、数字和中间的 &apos;-&apos; 构成，每个标签最多 63 个字符（RFC 1123）。</translation>
    </message>
    <message>
        <source>The port %1 is out of range.</source>
        <translation>端口 %1 超出范围。</translation>
    </message>
    <message>
        <source>Use a number from 1 to 65535; SSH listens on 22 unless configured otherwise.</source>
        <translation>请使用 1 到 65535 之间的数字；除非另行配置，SSH 监听 22 端口。</translation>
    </message>
    <message>
        <source>The port &quot;%1&quot; is not a number.</source>
        <translation>端口“%1”不是数字。</translation>
    </message>
    <message>
        <source>Use an absolute path such as /srv/app, made of letters, digits and . _ - @ + /.</source>
        <translation>请使用由字母、数字和 . _ - @ + / 组成的绝对路径，例如 /srv/app。</translation>
    </message>
    <message>
        <source>The deploy root is empty.</source>
        <translation>部署根目录为空。</translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; is not an absolute path.</source>
        <translation>部署根目录“%1”不是绝对路径。</translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; must name a directory below /, without a trailing slash.</source>
        <translation>部署根目录“%1”必须是 / 下的某个目录，且末尾不带斜杠。</translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; contains characters that are not allowed.</source>
        <translation>部署根目录“%1”包含不允许的字符。</translation>
    </message>
    <message>
        <source>The deploy root &quot;%1&quot; contains an empty, &apos;.&apos; or &apos;..&apos; component.</source>
        <translation>部署根目录“%1”包含空的、&apos;.&apos; 或 &apos;..&apos; 路径段。</translation>
    </message>
    <message>
        <source>Use a path relative to the release, such as storage/logs or .env.</source>
        <translation>请使用相对于发布目录的路径，例如 storage/logs 或 .env。</translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; must be relative and not end with &apos;/&apos;.</source>
        <translation>共享路径“%1”必须是相对路径，且不能以 &apos;/&apos; 结尾。</translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; contains characters that are not allowed.</source>
        <translation>共享路径“%1”包含不允许的字符。</translation>
    </message>
    <message>
        <source>The shared path &quot;%1&quot; contains an empty, &apos;.&apos; or &apos;..&apos; component.</source>
        <translation>共享路径“%1”包含空的、&apos;.&apos; 或 &apos;..&apos; 路径段。</translation>
    </message>
    <message>
        <source>Use https://host/group/repo.git, ssh://user@host[:port]/path, user@host:path or file:///absolute/path.</source>
        <translation>请使用 https://host/group/repo.git、ssh://user@host[:port]/path、user@host:path 或 file:///absolute/path 的形式。</translation>
    </message>
    <message>
        <source>The git URL is empty.</source>
        <translation>git 地址为空。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; contains a space or control character.</source>
        <translation>git 地址“%1”包含空格或控制字符。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; must not start with &apos;-&apos;.</source>
        <translation>git 地址“%1”不能以 &apos;-&apos; 开头。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; is malformed: %2</source>
        <translation>git 地址“%1”格式错误：%2</translation>
    </message>
    <message>
        <source>The file URL &quot;%1&quot; must name an absolute local path.</source>
        <translation>文件 URL“%1”必须指向本地的绝对路径。</translation>
    </message>
    <message>
        <source>The URL scheme &quot;%1&quot; is not supported for git.</source>
        <translation>git 不支持 URL 协议“%1”。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; has an invalid host: %2</source>
        <translation>git 地址“%1”中的主机无效：%2</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; has an invalid port.</source>
        <translation>git 地址“%1”中的端口无效。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; names no repository path.</source>
        <translation>git 地址“%1”中没有仓库路径。</translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; is not in a form git understands.</source>
        <translation>git 地址“%1”的形式 git 无法识别。</translation>
    </message>
    <message>
        <source>Use a git branch name such as main or release/2.1.</source>
        <translation>请使用 git 分支名，例如 main 或 release/2.1。</translation>
    </message>
    <message>
        <source>The branch is empty.</source>
        <translation>分支为空。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid git branch name.</source>
        <translation>“%1”不是有效的 git 分支名。</translation>
    </message>
    <message>
        <source>The tag &quot;%1&quot; is not allowed.</source>
        <translation>标签“%1”不符合要求。</translation>
    </message>
    <message>
        <source>The text is %1 characters long; at most %2 are allowed.</source>
        <translation>文本长度为 %1 个字符；最多允许 %2 个。</translation>
    </message>
    <message>
        <source>The text contains control characters.</source>
        <translation>文本包含控制字符。</translation>
    </message>
    <message>
        <source>The text contains line breaks or control characters.</source>
        <translation>文本包含换行符或控制字符。</translation>
    </message>
    <message>
        <source>Remove them; only printable text is kept.</source>
        <translation>请删除它们；只能保留可打印的文本。</translation>
    </message>
    <message>
        <source>A stored key needs its private key.</source>
        <translation>存储的密钥需要提供私钥。</translation>
    </message>
    <message>
        <source>Paste the private key, or choose &quot;key file&quot; or &quot;ssh-agent&quot;.</source>
        <translation>请粘贴私钥，或选择“密钥文件”或“ssh-agent”。</translation>
    </message>
    <message>
        <source>The key file &quot;%1&quot; is not an absolute path.</source>
        <translation>密钥文件“%1”不是绝对路径。</translation>
    </message>
    <message>
        <source>Choose the private key file, for example /home/me/.ssh/id_ed25519.</source>
        <translation>请选择私钥文件，例如 /home/me/.ssh/id_ed25519。</translation>
    </message>
    <message>
        <source>Keeping %1 releases is not possible.</source>
        <translation>无法保留 %1 个版本。</translation>
    </message>
    <message>
        <source>Keep from 2 to 100: the current release and the one before it always stay.</source>
        <translation>请保留 2 到 100 个：当前版本及其上一个版本总会保留。</translation>
    </message>
    <message>
        <source>A package exclude is empty.</source>
        <translation>有一个打包排除项为空。</translation>
    </message>
    <message>
        <source>Write one pattern per line, such as node_modules or *.log.</source>
        <translation>每行写一个模式，例如 node_modules 或 *.log。</translation>
    </message>
    <message>
        <source>The environment belongs to no project.</source>
        <translation>该环境不属于任何项目。</translation>
    </message>
    <message>
        <source>Choose the project it deploys.</source>
        <translation>请选择它所部署的项目。</translation>
    </message>
    <message>
        <source>A parallelism of %1 is out of range.</source>
        <translation>并发数 %1 超出范围。</translation>
    </message>
    <message>
        <source>Use 1 to 500 servers at once.</source>
        <translation>同时处理的服务器数请设为 1 到 500。</translation>
    </message>
    <message>
        <source>The strategy &quot;%1&quot; is unknown.</source>
        <translation>未知策略“%1”。</translation>
    </message>
    <message>
        <source>Choose full, rolling, gray or patch.</source>
        <translation>请选择 full（全量）、rolling（滚动）、gray（灰度）或 patch（补丁）。</translation>
    </message>
    <message>
        <source>A server is listed twice.</source>
        <translation>有服务器被列出了两次。</translation>
    </message>
    <message>
        <source>Each server can be in an environment once.</source>
        <translation>每台服务器在一个环境中只能出现一次。</translation>
    </message>
    <message>
        <source>The template needs a title.</source>
        <translation>模板需要标题。</translation>
    </message>
    <message>
        <source>Name it after what it does, for example &quot;Restart nginx&quot;.</source>
        <translation>请按它的作用命名，例如“重启 nginx”。</translation>
    </message>
    <message>
        <source>The script is empty.</source>
        <translation>脚本为空。</translation>
    </message>
    <message>
        <source>Write the shell commands to run at this stage.</source>
        <translation>请编写在此阶段运行的 Shell 命令。</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) are not valid:</source>
        <translation>
            <numerusform>%n 个字段无效：</numerusform>
        </translation>
    </message>
    <message>
        <source>The git URL &quot;%1&quot; uses a remote helper (&quot;::&quot;), which could run programs.</source>
        <translation>git 地址“%1”使用了远程辅助程序（“::”），它可能会运行其他程序。</translation>
    </message>
    <message>
        <source>The git URL contains a password.</source>
        <translation>git 地址中包含密码。</translation>
    </message>
    <message>
        <source>Remove it from the URL; use an SSH key or a credential helper instead, so the password is not stored in plain text.</source>
        <translation>请从 URL 中删除密码；改用 SSH 密钥或凭据助手，以免密码以明文保存。</translation>
    </message>
    <message>
        <source>The git URL %1 fetches the code to deploy without authenticating the server: anyone on the network path can change what gets deployed.</source>
        <translation>Git 地址 %1 获取待部署代码时不认证服务器：网络路径上的任何人都能篡改部署内容。</translation>
    </message>
    <message>
        <source>Use https:// or ssh://. If you accept the risk, allow it explicitly for this project (--allow-unauthenticated, or the check box under the URL).</source>
        <translation>请使用 https:// 或 ssh://。若接受此风险，请为该项目明确允许（--allow-unauthenticated，或地址下方的复选框）。</translation>
    </message>
    <message>
        <source>The host &quot;%1&quot; contains a space or control character.</source>
        <translation>主机“%1”包含空格或控制字符。</translation>
    </message>
</context>
<context>
    <name>Vault</name>
    <message>
        <source>The cryptography library (libsodium) could not start.</source>
        <translation>加密库（libsodium）无法启动。</translation>
    </message>
    <message>
        <source>Reinstall libsodium and start ReleaseDesk again.</source>
        <translation>请重新安装 libsodium，然后重新启动 ReleaseDesk。</translation>
    </message>
    <message>
        <source>The password is empty.</source>
        <translation>密码为空。</translation>
    </message>
    <message>
        <source>Choose a password of at least %1 characters.</source>
        <translation>请设置至少 %1 个字符的密码。</translation>
    </message>
    <message>
        <source>The password is too short.</source>
        <translation>密码太短。</translation>
    </message>
    <message>
        <source>The key could not be derived from the password: %1 MiB of memory were not available.</source>
        <translation>无法从密码派生密钥：没有 %1 MiB 的可用内存。</translation>
    </message>
    <message>
        <source>Close other programs and try again.</source>
        <translation>请关闭其他程序后重试。</translation>
    </message>
    <message>
        <source>A secret in the vault could not be decrypted: it was changed, or it was sealed for another place.</source>
        <translation>保管库中的一项机密无法解密：它已被改动，或者是为其他位置加密的。</translation>
    </message>
    <message>
        <source>Enter the secret again (for a stored key: edit the key and paste it again).</source>
        <translation>请重新输入该机密（对于存储的密钥：编辑该密钥并重新粘贴）。</translation>
    </message>
    <message>
        <source>The vault has no master password yet.</source>
        <translation>保管库尚未设置主密码。</translation>
    </message>
    <message>
        <source>Choose a master password first.</source>
        <translation>请先设置主密码。</translation>
    </message>
    <message>
        <source>The vault record in the inventory database is damaged.</source>
        <translation>清单数据库中的保管库记录已损坏。</translation>
    </message>
    <message>
        <source>Restore the inventory database from a backup.</source>
        <translation>请从备份恢复清单数据库。</translation>
    </message>
    <message>
        <source>The master password is wrong.</source>
        <translation>主密码不正确。</translation>
    </message>
    <message>
        <source>Type it again, and check Caps Lock and the keyboard layout.</source>
        <translation>请重新输入，并检查大写锁定键和键盘布局。</translation>
    </message>
    <message>
        <source>The vault already has a master password.</source>
        <translation>保管库已经设置了主密码。</translation>
    </message>
    <message>
        <source>Unlock it with that password, or change the password.</source>
        <translation>请用该密码解锁，或修改密码。</translation>
    </message>
    <message>
        <source>The master password is empty.</source>
        <translation>主密码为空。</translation>
    </message>
    <message>
        <source>Type the master password of this inventory.</source>
        <translation>请输入此清单的主密码。</translation>
    </message>
    <message>
        <source>The vault is locked.</source>
        <translation>保管库已锁定。</translation>
    </message>
    <message>
        <source>Unlock it with the master password first.</source>
        <translation>请先用主密码解锁。</translation>
    </message>
    <message>
        <source>Type the password that protected this data.</source>
        <translation>请输入保护这些数据的密码。</translation>
    </message>
    <message>
        <source>This is not data sealed by ReleaseDesk, or it is damaged.</source>
        <translation>这不是 ReleaseDesk 加密的数据，或者数据已损坏。</translation>
    </message>
    <message>
        <source>Choose the file exactly as it was exported.</source>
        <translation>请选择与导出时完全一致的文件。</translation>
    </message>
    <message>
        <source>The password is wrong, or the data was changed.</source>
        <translation>密码不正确，或者数据已被改动。</translation>
    </message>
    <message>
        <source>Type the password that protected this data, and check that the file is complete.</source>
        <translation>请输入保护这些数据的密码，并检查文件是否完整。</translation>
    </message>
    <message>
        <source>The master password was changed elsewhere since this vault was unlocked.</source>
        <translation>自本保管库解锁以来，主密码已在别处被修改。</translation>
    </message>
    <message>
        <source>Unlock the vault again with the new master password.</source>
        <translation>请用新的主密码重新解锁保管库。</translation>
    </message>
    <message>
        <source>The master password was changed elsewhere in the meantime.</source>
        <translation>主密码在此期间已在别处被修改。</translation>
    </message>
    <message>
        <source>Type the current master password again.</source>
        <translation>请重新输入当前主密码。</translation>
    </message>
    <message>
        <source>The secret %1 of key %2 could not be decrypted, so the vault was not sealed anew.</source>
        <translation>密钥 %2 的机密 %1 无法解密，因此保险库未重新加密。</translation>
    </message>
    <message>
        <source>Enter that key again (or remove it), then try again.</source>
        <translation>请重新录入该密钥（或删除它），然后重试。</translation>
    </message>
</context>
<context>
    <name>VaultCommands</name>
    <message>
        <source>Initialized</source>
        <translation>已初始化</translation>
    </message>
    <message>
        <source>Sealed secrets</source>
        <translation>已加密的机密数</translation>
    </message>
    <message>
        <source>Create the vault with: releasedesk-cli vault init</source>
        <translation>用以下命令创建保管库：releasedesk-cli vault init</translation>
    </message>
    <message>
        <source>The vault already has a master password.</source>
        <translation>保管库已经设置了主密码。</translation>
    </message>
    <message>
        <source>Change it with: releasedesk-cli vault passwd</source>
        <translation>用以下命令修改：releasedesk-cli vault passwd</translation>
    </message>
    <message>
        <source>New master password</source>
        <translation>新主密码</translation>
    </message>
    <message>
        <source>The vault is ready; keep the master password safe, it cannot be recovered.</source>
        <translation>保管库已就绪；请妥善保管主密码，它无法找回。</translation>
    </message>
    <message>
        <source>The master password is right.</source>
        <translation>主密码正确。</translation>
    </message>
    <message>
        <source>The vault is not initialized.</source>
        <translation>保管库尚未初始化。</translation>
    </message>
    <message>
        <source>Create it first with: releasedesk-cli vault init</source>
        <translation>请先用以下命令创建：releasedesk-cli vault init</translation>
    </message>
    <message>
        <source>Current master password</source>
        <translation>当前主密码</translation>
    </message>
    <message>
        <source>The master password was changed.</source>
        <translation>主密码已修改。</translation>
    </message>
    <message>
        <source>The vault that seals stored private keys under the master password</source>
        <translation>用主密码加密存储私钥的保管库</translation>
    </message>
    <message>
        <source>Say whether the vault is initialized and how many secrets it holds.</source>
        <translation>显示保管库是否已初始化，以及其中有多少项机密。</translation>
    </message>
    <message>
        <source>Choose the master password (RELEASEDESK_VAULT_PASSWORD, stdin or prompt).</source>
        <translation>设置主密码（取自 RELEASEDESK_VAULT_PASSWORD、stdin 或提示输入）。</translation>
    </message>
    <message>
        <source>Check the master password.</source>
        <translation>检查主密码。</translation>
    </message>
    <message>
        <source>Change the master password: the current one (RELEASEDESK_VAULT_PASSWORD or the first line), then the new one (RELEASEDESK_NEW_VAULT_PASSWORD or the next line).</source>
        <translation>修改主密码：先给出当前主密码（RELEASEDESK_VAULT_PASSWORD 或第一行），再给出新主密码（RELEASEDESK_NEW_VAULT_PASSWORD 或下一行）。</translation>
    </message>
</context>
<context>
    <name>ZstdPackage</name>
    <message>
        <source>Check the free space and permissions of %1.</source>
        <translation>请检查 %1 的可用空间和权限。</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Could not convert the package %1: out of memory.</source>
        <translation>无法转换软件包 %1：内存不足。</translation>
    </message>
    <message>
        <source>Could not read the package %1</source>
        <translation>无法读取软件包 %1</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Could not start %1</source>
        <translation>无法开始写入 %1</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Could not move %1 into place as %2.</source>
        <translation>无法将 %1 移动到 %2。</translation>
    </message>
    <message>
        <source>Check the permissions of %1.</source>
        <translation>请检查 %1 的权限。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Ships code from git to Linux servers over SSH.</source>
        <translation>通过 SSH 将 git 中的代码部署到 Linux 服务器。</translation>
    </message>
    <message>
        <source>Keep the inventory in DIR (else RELEASEDESK_HOME, else the platform&apos;s application data directory).</source>
        <translation>将清单保存在 目录 中（未指定时使用 RELEASEDESK_HOME，再否则使用平台的应用数据目录）。</translation>
    </message>
    <message>
        <source>DIR</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>Interface language: en or zh_CN.</source>
        <translation>界面语言：en 或 zh_CN。</translation>
    </message>
    <message>
        <source>LANG</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Start with a sample project and three sshd servers on this machine (in a demo inventory of its own; the servers stop when the app quits).</source>
        <translation>使用示例项目和本机上的三台 sshd 服务器启动（使用独立的演示清单；应用退出时这些服务器会停止）。</translation>
    </message>
</context>
<context>
    <name>rd::ConnectionCheck</name>
    <message>
        <source>`true` did not succeed (exit %1).</source>
        <translation>`true` 执行失败（退出码 %1）。</translation>
    </message>
    <message>
        <source>Sign in with ssh by hand and check the account&apos;s shell.</source>
        <translation>请手动用 ssh 登录，检查该账户的 shell。</translation>
    </message>
    <message>
        <source>Stopped before the check ran.</source>
        <translation>检查运行前已停止。</translation>
    </message>
</context>
<context>
    <name>rd::ConnectionCheckDialog</name>
    <message>
        <source>Check connection</source>
        <translation>检查连接</translation>
    </message>
    <message>
        <source>Each server is reached over SSH, signed in to with its key, and asked to run `true`. Select a row to read its whole error.</source>
        <translation>逐台通过 SSH 连接服务器，用其密钥登录，并运行 `true`。选中某一行可查看完整的错误信息。</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Signed in with</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>耗时（秒）</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation>%1 端口 %2</translation>
    </message>
    <message>
        <source>The selected server&apos;s error appears here.</source>
        <translation>选中服务器的错误信息会显示在这里。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>%1 ok, %2 failed, %3 still connecting…</source>
        <translation>%1 台成功，%2 台失败，%3 台仍在连接…</translation>
    </message>
    <message>
        <source>%1 ok, %2 failed.</source>
        <translation>%1 台成功，%2 台失败。</translation>
    </message>
</context>
<context>
    <name>rd::DemoSetup</name>
    <message>
        <source>%1 %2 failed: %3</source>
        <translation>%1 %2 失败：%3</translation>
    </message>
    <message>
        <source>Could not create %1.</source>
        <translation>无法创建 %1。</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Release %1</source>
        <translation>发布 %1</translation>
    </message>
    <message numerus="yes">
        <source>Preparing the demo: a sample repository and %n sshd server(s) on this machine…</source>
        <translation>
            <numerusform>正在准备演示：一个示例仓库和本机上的 %n 台 sshd 服务器…</numerusform>
        </translation>
    </message>
    <message>
        <source>The test-server script %1 is missing.</source>
        <translation>缺少测试服务器脚本 %1。</translation>
    </message>
    <message>
        <source>Run the demo from the build directory, where the build puts it.</source>
        <translation>请从构建目录运行演示，构建会把脚本放在那里。</translation>
    </message>
    <message>
        <source>The demo servers need root and OpenSSH&apos;s sshd (run the README&apos;s install line).</source>
        <translation>演示服务器需要 root 权限和 OpenSSH 的 sshd（请运行 README 中的安装命令）。</translation>
    </message>
    <message>
        <source>The demo servers did not list themselves in %1.</source>
        <translation>演示服务器没有在 %1 中登记自己。</translation>
    </message>
    <message>
        <source>Only %1 of %2 demo servers started.</source>
        <translation>%2 台演示服务器中只有 %1 台启动。</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Check the release</source>
        <translation>检查发布</translation>
    </message>
    <message>
        <source>Restart the shop</source>
        <translation>重启商店</translation>
    </message>
</context>
<context>
    <name>rd::EnvironmentTableModel</name>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
</context>
<context>
    <name>rd::EnvironmentsPane</name>
    <message>
        <source>Environments</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Where a project is deployed and in which order. Drag servers from &quot;All servers&quot; into the environment, drag them within it to reorder, or drag them back out to remove them.</source>
        <translation>项目部署到哪里、按什么顺序部署。把服务器从“所有服务器”拖入环境，在环境内拖动可调整顺序，拖回去即可移除。</translation>
    </message>
    <message>
        <source>prod</source>
        <translation>prod</translation>
    </message>
    <message>
        <source>/srv/shop</source>
        <translation>/srv/shop</translation>
    </message>
    <message>
        <source>One path per line, e.g.
storage/logs
.env</source>
        <translation>每行一个路径，例如
storage/logs
.env</translation>
    </message>
    <message>
        <source>Full: all servers, switched together</source>
        <translation>全量：所有服务器同时切换</translation>
    </message>
    <message>
        <source>Rolling: in batches</source>
        <translation>滚动：分批进行</translation>
    </message>
    <message>
        <source>Gray: canary servers first</source>
        <translation>灰度：先发布金丝雀服务器</translation>
    </message>
    <message>
        <source>Patch: only changed files</source>
        <translation>补丁：只传改动的文件</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Deploy root</source>
        <translation>部署根目录</translation>
    </message>
    <message>
        <source>Shared paths</source>
        <translation>共享路径</translation>
    </message>
    <message>
        <source>Parallelism</source>
        <translation>并发数</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Filter by project or environment</source>
        <translation>按项目或环境筛选</translation>
    </message>
    <message>
        <source>Filter servers by name or host</source>
        <translation>按名称或主机筛选服务器</translation>
    </message>
    <message>
        <source>Add →</source>
        <translation>添加 →</translation>
    </message>
    <message>
        <source>Add the selected servers to the end of the environment</source>
        <translation>将选中的服务器添加到环境末尾</translation>
    </message>
    <message>
        <source>← Remove</source>
        <translation>← 移除</translation>
    </message>
    <message>
        <source>Take the selected servers out of the environment (Delete)</source>
        <translation>将选中的服务器移出环境（Delete 键）</translation>
    </message>
    <message>
        <source>All servers</source>
        <translation>所有服务器</translation>
    </message>
    <message>
        <source>Servers in this environment</source>
        <translation>此环境中的服务器</translation>
    </message>
    <message>
        <source>Release order, top first. Drop here to add, drag to reorder.</source>
        <translation>发布顺序，自上而下。拖放到此处即可添加，拖动可调整顺序。</translation>
    </message>
    <message numerus="yes">
        <source>%n environment(s)</source>
        <translation>
            <numerusform>%n 个环境</numerusform>
        </translation>
    </message>
    <message>
        <source>Servers in %1 (%2)</source>
        <translation>%1 中的服务器（%2）</translation>
    </message>
    <message>
        <source>Servers in the new environment (%1), saved with it</source>
        <translation>新环境中的服务器（%1），随环境一起保存</translation>
    </message>
</context>
<context>
    <name>rd::FleetStatus</name>
    <message>
        <source>Reading %1 failed (exit %2): %3</source>
        <translation>读取 %1 失败（退出码 %2）：%3</translation>
    </message>
    <message>
        <source>Check that the SSH user may read the deploy root.</source>
        <translation>请确认 SSH 用户可以读取部署根目录。</translation>
    </message>
</context>
<context>
    <name>rd::FleetTableModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <source>not readable</source>
        <translation>不可读取</translation>
    </message>
    <message>
        <source>no release</source>
        <translation>无版本</translation>
    </message>
    <message>
        <source>DRIFT</source>
        <translation>漂移</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Reading %1 (%2)…</source>
        <translation>正在读取 %1（%2）…</translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Drift: runs %1, but %2 / %3 should run %4.</source>
        <translation>漂移：运行的是 %1，但 %2 / %3 应运行 %4。</translation>
    </message>
    <message>
        <source>Runs %1, the release of %2 / %3.</source>
        <translation>运行 %1，即 %2 / %3 的版本。</translation>
    </message>
    <message>
        <source>Commit %1 (%2)</source>
        <translation>提交 %1（%2）</translation>
    </message>
    <message>
        <source>Locked by %1 for %2: a release may be running there.</source>
        <translation>已被 %1 锁定 %2：该服务器上可能正在进行发布。</translation>
    </message>
    <message>
        <source>Kept releases: %1</source>
        <translation>保留的版本：%1</translation>
    </message>
    <message>
        <source>Free space: %1 MiB</source>
        <translation>可用空间：%1 MiB</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Released</source>
        <translation>发布时间</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Drift</source>
        <translation>漂移</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
</context>
<context>
    <name>rd::FleetView</name>
    <message>
        <source>Fleet</source>
        <translation>服务器群</translation>
    </message>
    <message>
        <source>The release each server runs now, read from the servers themselves. Servers that do not run their environment&apos;s release are marked as drift.</source>
        <translation>每台服务器当前运行的版本，直接从服务器读取。未运行其环境版本的服务器会被标记为漂移。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read every server again (%1)</source>
        <translation>重新读取所有服务器（%1）</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>All environments</source>
        <translation>所有环境</translation>
    </message>
    <message>
        <source>Some servers log in with a key stored in the vault, which is locked: they cannot be read. Unlock the vault, then refresh.</source>
        <translation>部分服务器使用保存在保险库中的密钥登录，而保险库已锁定：无法读取这些服务器。请解锁保险库，然后刷新。</translation>
    </message>
    <message>
        <source>Reading %1 of %2 servers…</source>
        <translation>正在读取 %1 / %2 台服务器…</translation>
    </message>
    <message>
        <source>Last read at %1</source>
        <translation>上次读取于 %1</translation>
    </message>
    <message>
        <source>Not read yet</source>
        <translation>尚未读取</translation>
    </message>
    <message>
        <source>No projects in the inventory yet.</source>
        <translation>清单中还没有项目。</translation>
    </message>
    <message>
        <source>No enabled servers here.</source>
        <translation>此处没有已启用的服务器。</translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n 台服务器</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drifting</source>
        <translation>
            <numerusform>%n 台漂移</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not readable</source>
        <translation>
            <numerusform>%n 台不可读取</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n locked</source>
        <translation>
            <numerusform>%n 台已锁定</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n without a release</source>
        <translation>
            <numerusform>%n 台无版本</numerusform>
        </translation>
    </message>
    <message>
        <source>all on their environment&apos;s release</source>
        <translation>全部运行其环境的版本</translation>
    </message>
</context>
<context>
    <name>rd::HistoryPane</name>
    <message>
        <source>Task history</source>
        <translation>任务历史</translation>
    </message>
    <message>
        <source>Every release task of this workstation, newest first. Open one to see its pipeline and logs; retry a failed one, resume an interrupted one, or roll back to a release.</source>
        <translation>本工作站的所有发布任务，最新的在前。打开任务可查看其流水线和日志；可重试失败的任务、继续已中断的任务，或回滚到某个版本。</translation>
    </message>
    <message>
        <source>Filter by task, version, ref, operator or summary</source>
        <translation>按任务、版本、引用、操作人或摘要筛选</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>所有状态</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the task directory again (%1); it is also checked every 2 seconds</source>
        <translation>重新读取任务目录（%1）；该目录也会每 2 秒检查一次</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show the task&apos;s pipeline and logs (Enter or double-click)</source>
        <translation>显示任务的流水线和日志（Enter 或双击）</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Run the failed servers again from the stage where they failed</source>
        <translation>从失败的阶段重新运行失败的服务器</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Continue the interrupted task where each server stopped</source>
        <translation>从每台服务器停止的位置继续已中断的任务</translation>
    </message>
    <message>
        <source>Roll back to this release</source>
        <translation>回滚到此版本</translation>
    </message>
    <message>
        <source>All projects</source>
        <translation>所有项目</translation>
    </message>
    <message>
        <source>All environments</source>
        <translation>所有环境</translation>
    </message>
    <message>
        <source>No release tasks yet.</source>
        <translation>尚无发布任务。</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s)</source>
        <translation>
            <numerusform>%n 个任务</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 tasks</source>
        <translation>%1 / %2 个任务</translation>
    </message>
    <message>
        <source>Task %1</source>
        <translation>任务 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n attempt(s)</source>
        <translation>
            <numerusform>%n 次尝试</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a succeeded release to switch its environment back to it</source>
        <translation>选择一个成功的发布，将其环境切换回该版本</translation>
    </message>
    <message>
        <source>Switch every server of %1 / %2 back to %3</source>
        <translation>将 %1 / %2 的所有服务器切换回 %3</translation>
    </message>
    <message>
        <source>Only a release that succeeded (not a rollback) can be gone back to</source>
        <translation>只能回退到成功的发布（不能是回滚）</translation>
    </message>
    <message>
        <source>%1 is live now, or older than the releases the servers keep</source>
        <translation>%1 当前已在线上，或早于服务器保留的版本</translation>
    </message>
</context>
<context>
    <name>rd::HistoryTableModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Task %1</source>
        <translation>任务 %1</translation>
    </message>
    <message>
        <source>Rolled back to %1</source>
        <translation>已回滚到 %1</translation>
    </message>
    <message>
        <source>Commit: %1</source>
        <translation>提交：%1</translation>
    </message>
    <message>
        <source>Created: %1</source>
        <translation>创建时间：%1</translation>
    </message>
    <message>
        <source>Scheduled for: %1</source>
        <translation>计划时间：%1</translation>
    </message>
    <message>
        <source>Started: %1</source>
        <translation>开始时间：%1</translation>
    </message>
    <message>
        <source>Finished: %1</source>
        <translation>完成时间：%1</translation>
    </message>
    <message>
        <source>Attempts: %1</source>
        <translation>尝试次数：%1</translation>
    </message>
    <message>
        <source>Servers: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
</context>
<context>
    <name>rd::HookEditor</name>
    <message>
        <source>Save as template…</source>
        <translation>另存为模板…</translation>
    </message>
    <message>
        <source>Shell commands, run with sh -e. RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER are set.</source>
        <translation>Shell 命令，使用 sh -e 运行。已设置 RD_PROJECT、RD_ENV、RD_VERSION、RD_COMMIT、RD_RELEASE_DIR、RD_PREVIOUS_DIR 和 RD_SERVER。</translation>
    </message>
    <message>
        <source>Template:</source>
        <translation>模板：</translation>
    </message>
    <message>
        <source>Choose a template…</source>
        <translation>选择模板…</translation>
    </message>
    <message>
        <source>A template needs a name. Type one to save this hook as a template.</source>
        <translation>模板需要名称。请输入名称以将此钩子保存为模板。</translation>
    </message>
    <message>
        <source>The hook is empty: write the commands first, then save them as a template.</source>
        <translation>钩子为空：请先编写命令，再将其保存为模板。</translation>
    </message>
    <message>
        <source>Save as template</source>
        <translation>另存为模板</translation>
    </message>
    <message>
        <source>Template name (required):</source>
        <translation>模板名称（必填）：</translation>
    </message>
</context>
<context>
    <name>rd::HookTemplateTableModel</name>
    <message>
        <source>Before download</source>
        <translation>下载前</translation>
    </message>
    <message>
        <source>After download (build)</source>
        <translation>下载后（构建）</translation>
    </message>
    <message>
        <source>Before release</source>
        <translation>发布前</translation>
    </message>
    <message>
        <source>After release (restart)</source>
        <translation>发布后（重启）</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
</context>
<context>
    <name>rd::HookTemplatesPane</name>
    <message>
        <source>Hook templates</source>
        <translation>钩子模板</translation>
    </message>
    <message>
        <source>Shell scripts run at a pipeline stage. They see RD_PROJECT, RD_ENV, RD_VERSION, RD_COMMIT, RD_RELEASE_DIR, RD_PREVIOUS_DIR and RD_SERVER.</source>
        <translation>在流水线某个阶段运行的 Shell 脚本，可使用 RD_PROJECT、RD_ENV、RD_VERSION、RD_COMMIT、RD_RELEASE_DIR、RD_PREVIOUS_DIR 和 RD_SERVER 环境变量。</translation>
    </message>
    <message>
        <source>#!/bin/sh
set -e
sudo systemctl reload nginx</source>
        <translation>#!/bin/sh
set -e
sudo systemctl reload nginx</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Filter by title or stage</source>
        <translation>按标题或阶段筛选</translation>
    </message>
    <message numerus="yes">
        <source>%n hook template(s)</source>
        <translation>
            <numerusform>%n 个钩子模板</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::HostKeyDialog</name>
    <message>
        <source>Host key of another type</source>
        <translation>另一种类型的主机密钥</translation>
    </message>
    <message>
        <source>Unknown host key</source>
        <translation>未知的主机密钥</translation>
    </message>
    <message>
        <source>ReleaseDesk knows a key of &lt;b&gt;%1&lt;/b&gt; (%2), but this connection was offered the key below, of another type. Trust it only if it matches the server&apos;s own key.</source>
        <translation>ReleaseDesk 已知 &lt;b&gt;%1&lt;/b&gt; 的一个密钥（%2），但本次连接收到的是下面这个另一种类型的密钥。只有当它与服务器自身的密钥一致时才信任它。</translation>
    </message>
    <message>
        <source>ReleaseDesk has not connected to &lt;b&gt;%1&lt;/b&gt; before. Its server sent the host key below; trust it only if it matches the server&apos;s own key.</source>
        <translation>ReleaseDesk 之前从未连接过 &lt;b&gt;%1&lt;/b&gt;。该服务器发来了下面的主机密钥；只有当它与服务器自身的密钥一致时才信任它。</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation>%1 端口 %2</translation>
    </message>
    <message>
        <source>Key type</source>
        <translation>密钥类型</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>To verify it, run this on the server (or ask its administrator) and compare the SHA256 fingerprint it prints:</source>
        <translation>要核实它，请在服务器上运行以下命令（或询问服务器管理员），并比对输出的 SHA256 指纹：</translation>
    </message>
    <message>
        <source>Trust and remember</source>
        <translation>信任并记住</translation>
    </message>
    <message>
        <source>Connect, and store the key in ReleaseDesk&apos;s known_hosts for later connections.</source>
        <translation>连接，并将该密钥保存到 ReleaseDesk 的 known_hosts 中供以后连接使用。</translation>
    </message>
    <message>
        <source>Trust once</source>
        <translation>仅本次信任</translation>
    </message>
    <message>
        <source>Connect this time without storing the key; you will be asked again next time.</source>
        <translation>本次连接但不保存该密钥；下次连接时会再次询问。</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Do not connect.</source>
        <translation>不连接。</translation>
    </message>
</context>
<context>
    <name>rd::HostKeyScanDialog</name>
    <message>
        <source>Scan host keys</source>
        <translation>扫描主机密钥</translation>
    </message>
    <message>
        <source>The keys the servers offer now, compared with ReleaseDesk&apos;s known_hosts. Check the new keys whose fingerprints match the servers&apos; own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on each server) and trust them together.</source>
        <translation>服务器当前提供的密钥，已与 ReleaseDesk 的 known_hosts 比对。请勾选指纹与服务器自身一致的新密钥（在每台服务器上运行 ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub），然后一起信任。</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>%1 port %2</source>
        <translation>%1 端口 %2</translation>
    </message>
    <message>
        <source>Select a server to see its key, or why it could not be scanned.</source>
        <translation>选中一台服务器可查看它的密钥，或无法扫描的原因。</translation>
    </message>
    <message>
        <source>Check all new</source>
        <translation>勾选所有新密钥</translation>
    </message>
    <message>
        <source>Scan again</source>
        <translation>重新扫描</translation>
    </message>
    <message>
        <source>Trust checked</source>
        <translation>信任勾选项</translation>
    </message>
    <message>
        <source>scanning…</source>
        <translation>扫描中…</translation>
    </message>
    <message>
        <source>new</source>
        <translation>新</translation>
    </message>
    <message>
        <source>known</source>
        <translation>已知</translation>
    </message>
    <message>
        <source>CHANGED</source>
        <translation>已变更</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>已吊销</translation>
    </message>
    <message>
        <source>unreachable: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>Forget stored key…</source>
        <translation>删除已保存的密钥…</translation>
    </message>
    <message>
        <source>Remove the stored key of %1 port %2, after you have checked on the server that its key really changed.</source>
        <translation>在服务器上确认其密钥确实已更换后，删除 %1 端口 %2 的已保存密钥。</translation>
    </message>
    <message>
        <source>%1 (%2 port %3)</source>
        <translation>%1（%2 端口 %3）</translation>
    </message>
    <message>
        <source>%1 could not be scanned:
%2</source>
        <translation>无法扫描 %1：
%2</translation>
    </message>
    <message>
        <source>%1 offers a host key that differs from the stored one.
Stored:      %2
Offered now: %3 (%4)

Connections to it are refused: someone may be intercepting them. If the server was reinstalled or its keys were rotated, check the new fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then use &quot;Forget stored key&quot; and trust the new key.</source>
        <translation>%1 提供的主机密钥与已保存的不同。
已保存：  %2
当前提供：%3（%4）

到它的连接会被拒绝：可能有人正在拦截连接。如果服务器重装过或轮换过密钥，请在服务器上核对新的指纹（ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub），然后使用“删除已保存的密钥”并信任新密钥。</translation>
    </message>
    <message>
        <source>%1 offers a key marked as revoked in known_hosts (%2 %3). Do not connect until the server has a new key.</source>
        <translation>%1 提供的密钥在 known_hosts 中被标记为已吊销（%2 %3）。在服务器换上新密钥之前，请不要连接。</translation>
    </message>
    <message>
        <source>%1 offers a key that is not known yet:
%2 %3

Compare it with the output of ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the server before trusting it.</source>
        <translation>%1 提供的密钥尚未登记：
%2 %3

信任之前，请将它与服务器上 ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub 的输出比对。</translation>
    </message>
    <message>
        <source>%1 offers the stored key:
%2 %3</source>
        <translation>%1 提供的是已保存的密钥：
%2 %3</translation>
    </message>
    <message>
        <source>Forget stored host key</source>
        <translation>删除已保存的主机密钥</translation>
    </message>
    <message>
        <source>Forget the stored host key of %1 (%2 port %3)?</source>
        <translation>要删除 %1（%2 端口 %3）的已保存主机密钥吗？</translation>
    </message>
    <message>
        <source>Do this only after checking on the server that its key really changed. The offered key is then shown as new, to be trusted like a first contact.</source>
        <translation>请仅在服务器上确认其密钥确实已更换后再这样做。之后它提供的密钥会显示为新密钥，可像首次连接时一样信任。</translation>
    </message>
    <message numerus="yes">
        <source>Scanning %n server(s)…</source>
        <translation>
            <numerusform>正在扫描 %n 台服务器…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 new, %2 known, %3 changed, %4 unreachable.</source>
        <translation>%1 个新密钥，%2 个已知，%3 个已变更，%4 台无法连接。</translation>
    </message>
    <message numerus="yes">
        <source>Trust %n checked</source>
        <translation>
            <numerusform>信任勾选的 %n 项</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::HttpHealthCheck</name>
    <message>
        <source>The health check URL &quot;%1&quot; is not valid: %2</source>
        <translation>健康检查 URL“%1”无效：%2</translation>
    </message>
    <message>
        <source>Write a full URL such as http://{host}:8080/health.</source>
        <translation>请写完整的 URL，例如 http://{host}:8080/health。</translation>
    </message>
    <message>
        <source>The health check URL &quot;%1&quot; is not http or https.</source>
        <translation>健康检查 URL“%1”不是 http 或 https。</translation>
    </message>
    <message>
        <source>The health check URL &quot;%1&quot; names no host.</source>
        <translation>健康检查 URL“%1”没有主机。</translation>
    </message>
    <message>
        <source>Use {host} for the server&apos;s address, e.g. http://{host}/health.</source>
        <translation>请用 {host} 表示服务器地址，例如 http://{host}/health。</translation>
    </message>
    <message>
        <source>no answer within %1 ms</source>
        <translation>%1 毫秒内没有响应</translation>
    </message>
    <message>
        <source>status %1 %2, expected %3</source>
        <translation>状态 %1 %2，期望 %3</translation>
    </message>
    <message>
        <source>the answer does not contain &quot;%1&quot;</source>
        <translation>响应中不包含“%1”</translation>
    </message>
    <message>
        <source>GET %1 -&gt; %2 %3, %4 ms: healthy</source>
        <translation>GET %1 -&gt; %2 %3，%4 毫秒：健康</translation>
    </message>
    <message>
        <source>GET %1 -&gt; %2, %3 ms</source>
        <translation>GET %1 -&gt; %2，%3 毫秒</translation>
    </message>
    <message>
        <source>Healthy: %1 answered %2.</source>
        <translation>健康：%1 返回了 %2。</translation>
    </message>
    <message numerus="yes">
        <source>The health check failed %n time(s); the last answer from %1: %2.</source>
        <translation>
            <numerusform>健康检查失败 %n 次；%1 的最后一次响应：%2。</numerusform>
        </translation>
    </message>
    <message>
        <source>The health check of %1 was cancelled.</source>
        <translation>%1 的健康检查已取消。</translation>
    </message>
</context>
<context>
    <name>rd::InventoryPane</name>
    <message>
        <source>Add</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Add what was typed into a new item, or start a new one</source>
        <translation>添加在新条目中输入的内容，或新建一个条目</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>ReleaseDesk</source>
        <translation>ReleaseDesk</translation>
    </message>
    <message>
        <source>the new item</source>
        <translation>新建的条目</translation>
    </message>
    <message>
        <source>Discard the unsaved changes to %1?</source>
        <translation>放弃对 %1 未保存的修改吗？</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation>删除 %1 吗？</translation>
    </message>
    <message>
        <source>This also deletes: %1.</source>
        <translation>同时会删除：%1。</translation>
    </message>
</context>
<context>
    <name>rd::KeyTableModel</name>
    <message>
        <source>Stored private key</source>
        <translation>存储的私钥</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>ssh-agent</source>
        <translation>ssh-agent</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
</context>
<context>
    <name>rd::KeysPane</name>
    <message>
        <source>SSH keys</source>
        <translation>SSH 密钥</translation>
    </message>
    <message>
        <source>Login identities for the servers: a private key kept encrypted in the vault, a key file on this machine, or the running ssh-agent.</source>
        <translation>登录服务器所用的身份：加密保存在保管库中的私钥、本机上的密钥文件，或正在运行的 ssh-agent。</translation>
    </message>
    <message>
        <source>deploy-key</source>
        <translation>deploy-key</translation>
    </message>
    <message>
        <source>deploy</source>
        <translation>deploy</translation>
    </message>
    <message>
        <source>Load from file…</source>
        <translation>从文件载入…</translation>
    </message>
    <message>
        <source>Checking the key and its passphrase…</source>
        <translation>正在检查密钥及其口令…</translation>
    </message>
    <message>
        <source>empty if the key has none</source>
        <translation>密钥没有口令则留空</translation>
    </message>
    <message>
        <source>/home/me/.ssh/id_ed25519</source>
        <translation>/home/me/.ssh/id_ed25519</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>filled in when the key is saved</source>
        <translation>保存密钥时自动填写</translation>
    </message>
    <message>
        <source>Offer this key for logins</source>
        <translation>登录时提供此密钥</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>私钥</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>公钥</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Filter by name, user or fingerprint</source>
        <translation>按名称、用户或指纹筛选</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n 个密钥</numerusform>
        </translation>
    </message>
    <message>
        <source>Kept encrypted in the vault. Paste a key here only to replace it.</source>
        <translation>已加密保存在保管库中。只有要替换时才在此粘贴新密钥。</translation>
    </message>
    <message>
        <source>Paste the private key (-----BEGIN OPENSSH PRIVATE KEY----- …)</source>
        <translation>粘贴私钥（-----BEGIN OPENSSH PRIVATE KEY----- …）</translation>
    </message>
    <message>
        <source>A passphrase alone does not change the stored key.</source>
        <translation>只填写口令不会修改已保存的密钥。</translation>
    </message>
    <message>
        <source>Paste the private key again to change its passphrase.</source>
        <translation>要修改口令，请重新粘贴私钥。</translation>
    </message>
    <message>
        <source>The vault is locked, so the private key cannot be stored.</source>
        <translation>保管库已锁定，无法保存私钥。</translation>
    </message>
    <message>
        <source>Unlock the vault (Vault &gt; Unlock) and save again, or use a key file or ssh-agent.</source>
        <translation>请解锁保管库（保管库 &gt; 解锁）后再保存，或改用密钥文件或 ssh-agent。</translation>
    </message>
    <message>
        <source>Load a private key</source>
        <translation>载入私钥</translation>
    </message>
    <message>
        <source>%1 is too large to be a private key.</source>
        <translation>%1 太大，不可能是私钥。</translation>
    </message>
    <message>
        <source>Choose the private key file, such as id_ed25519 (not an archive).</source>
        <translation>请选择私钥文件，例如 id_ed25519（不是压缩包）。</translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Check the file&apos;s permissions.</source>
        <translation>请检查文件权限。</translation>
    </message>
    <message>
        <source>Choose the private key file</source>
        <translation>选择私钥文件</translation>
    </message>
</context>
<context>
    <name>rd::LogFileModel</name>
    <message>
        <source>%1 UTC, standard error</source>
        <translation>%1 UTC，标准错误</translation>
    </message>
    <message>
        <source>%1 UTC, standard output</source>
        <translation>%1 UTC，标准输出</translation>
    </message>
</context>
<context>
    <name>rd::LogView</name>
    <message>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <source>Scroll to new lines as they arrive (off while you scroll up)</source>
        <translation>新行到达时自动滚动（向上滚动时关闭）</translation>
    </message>
    <message>
        <source>Search (Enter: next, Shift+Enter: previous)</source>
        <translation>搜索（Enter：下一个，Shift+Enter：上一个）</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Previous match (Shift+F3)</source>
        <translation>上一个匹配项（Shift+F3）</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Next match (F3)</source>
        <translation>下一个匹配项（F3）</translation>
    </message>
    <message>
        <source>Aa</source>
        <translation>Aa</translation>
    </message>
    <message>
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the selected lines (Ctrl+C)</source>
        <translation>复制所选行（Ctrl+C）</translation>
    </message>
    <message>
        <source>Wrap</source>
        <translation>换行</translation>
    </message>
    <message>
        <source>Wrap long lines</source>
        <translation>自动换行长行</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Show when each line arrived (local time)</source>
        <translation>显示每行到达的时间（本地时间）</translation>
    </message>
    <message>
        <source>No log file.</source>
        <translation>无日志文件。</translation>
    </message>
    <message>
        <source>No log yet: lines appear here as soon as %1 is written.</source>
        <translation>暂无日志：%1 一旦写入，日志行就会显示在这里。</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>%1 of %2, wrapped</source>
        <translation>第 %1 个，共 %2 个（已回绕）</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
</context>
<context>
    <name>rd::MainWindow</name>
    <message>
        <source>ReleaseDesk — %1</source>
        <translation>ReleaseDesk — %1</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Projects</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Environments</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Hook templates</source>
        <translation>钩子模板</translation>
    </message>
    <message>
        <source>Release</source>
        <translation>发布</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>服务器群</translation>
    </message>
    <message>
        <source>Task %1 was due at %2 and was missed; it will not run late.</source>
        <translation>任务 %1 原定于 %2 运行，但已错过；它不会延后运行。</translation>
    </message>
    <message>
        <source>environment %1</source>
        <translation>环境 %1</translation>
    </message>
    <message>
        <source>The release cannot start</source>
        <translation>无法开始发布</translation>
    </message>
    <message>
        <source>The task cannot be opened</source>
        <translation>无法打开任务</translation>
    </message>
    <message>
        <source>Roll back to %1</source>
        <translation>回滚到 %1</translation>
    </message>
    <message>
        <source>No plan</source>
        <translation>无计划</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>V&amp;ault</source>
        <translation>保管库(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Unlock…</source>
        <translation>解锁(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Change master password…</source>
        <translation>修改主密码(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About ReleaseDesk</source>
        <translation>关于 ReleaseDesk(&amp;A)</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s)</source>
        <translation>
            <numerusform>%n 个密钥</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n 台服务器</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n project(s)</source>
        <translation>
            <numerusform>%n 个项目</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n environment(s)</source>
        <translation>
            <numerusform>%n 个环境</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hook template(s)</source>
        <translation>
            <numerusform>%n 个钩子模板</numerusform>
        </translation>
    </message>
    <message>
        <source>Vault: no master password yet</source>
        <translation>保管库：尚未设置主密码</translation>
    </message>
    <message>
        <source>Vault: unlocked</source>
        <translation>保管库：已解锁</translation>
    </message>
    <message>
        <source>Vault: locked</source>
        <translation>保管库：已锁定</translation>
    </message>
    <message>
        <source>&amp;Set master password…</source>
        <translation>设置主密码(&amp;S)…</translation>
    </message>
    <message>
        <source>The master password was changed.</source>
        <translation>主密码已修改。</translation>
    </message>
    <message>
        <source>About ReleaseDesk</source>
        <translation>关于 ReleaseDesk</translation>
    </message>
    <message>
        <source>&lt;h3&gt;ReleaseDesk %1&lt;/h3&gt;&lt;p&gt;Ships code from git to fleets of Linux servers over SSH, and can always roll back.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;ReleaseDesk %1&lt;/h3&gt;&lt;p&gt;通过 SSH 将 git 中的代码发布到成批的 Linux 服务器，并且随时可以回滚。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Quit ReleaseDesk?</source>
        <translation>退出 ReleaseDesk？</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) still running. Quit anyway? They stop where they are, keep their locks, and can be resumed from the history.</source>
        <translation>
            <numerusform>仍有 %n 个任务在运行。仍要退出吗？它们会停在当前位置并保留部署锁，之后可在历史中继续。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::PipelineScene</name>
    <message>
        <source>canary</source>
        <translation>金丝雀</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Cancelled or skipped</source>
        <translation>已取消或已跳过</translation>
    </message>
    <message>
        <source>Interrupted: no process ran this stage to its end</source>
        <translation>已中断：没有进程将此阶段运行至结束</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n 台服务器</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::PipelineView</name>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit the whole pipeline into the window (%1)</source>
        <translation>将整个流水线缩放至窗口大小（%1）</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (%1)</source>
        <translation>缩小（%1）</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (%1)</source>
        <translation>放大（%1）</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <source>Actual size (%1)</source>
        <translation>实际大小（%1）</translation>
    </message>
    <message>
        <source>Compact</source>
        <translation>紧凑</translation>
    </message>
    <message>
        <source>One thin row per server, grouped by state</source>
        <translation>每台服务器一行窄条，按状态分组</translation>
    </message>
</context>
<context>
    <name>rd::PlanPreviewDialog</name>
    <message>
        <source>not reached</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>known</source>
        <translation>已知</translation>
    </message>
    <message>
        <source>new</source>
        <translation>新</translation>
    </message>
    <message>
        <source>CHANGED</source>
        <translation>已变更</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>已吊销</translation>
    </message>
    <message>
        <source>Plan: %1 release of %2 to %3/%4</source>
        <translation>计划：%1 发布 %2 到 %3/%4</translation>
    </message>
    <message numerus="yes">
        <source>Reading %n server(s)… nothing is changed on them.</source>
        <translation>
            <numerusform>正在读取 %n 台服务器…不会对其做任何更改。</numerusform>
        </translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Host key</source>
        <translation>主机密钥</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Every server would take this release. Select a server to see its steps.</source>
        <translation>所有服务器都将接受此发布。选择一台服务器以查看其步骤。</translation>
    </message>
    <message>
        <source>%1 of %2 servers would not take this release: see Problems.</source>
        <translation>%2 台服务器中有 %1 台不会接受此发布：参见“问题”。</translation>
    </message>
    <message>
        <source>BLOCKED: %1</source>
        <translation>受阻：%1</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>注意：%1</translation>
    </message>
</context>
<context>
    <name>rd::ProjectTableModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation>Git 地址</translation>
    </message>
    <message>
        <source>Default branch</source>
        <translation>默认分支</translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation>保留版本数</translation>
    </message>
</context>
<context>
    <name>rd::ProjectsPane</name>
    <message>
        <source>Projects</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Git repositories that ReleaseDesk packages and ships, and how many releases to keep.</source>
        <translation>ReleaseDesk 打包并发布的 Git 仓库，以及要保留的版本数。</translation>
    </message>
    <message>
        <source>https://git.example.com/team/shop.git</source>
        <translation>https://git.example.com/team/shop.git</translation>
    </message>
    <message>
        <source>Allow fetching without authenticating the server</source>
        <translation>允许在不认证服务器的情况下获取</translation>
    </message>
    <message>
        <source>http:// and git:// do not authenticate the server: anyone on the network path could change the code that gets deployed.</source>
        <translation>http:// 和 git:// 不认证服务器：网络路径上的任何人都可能篡改待部署的代码。</translation>
    </message>
    <message>
        <source>One pattern per line, e.g.
node_modules
*.log</source>
        <translation>每行一个模式，例如
node_modules
*.log</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Git URL</source>
        <translation>Git 地址</translation>
    </message>
    <message>
        <source>Default branch</source>
        <translation>默认分支</translation>
    </message>
    <message>
        <source>Keep releases</source>
        <translation>保留版本数</translation>
    </message>
    <message>
        <source>Package excludes</source>
        <translation>打包排除项</translation>
    </message>
    <message>
        <source>Filter by name, URL or branch</source>
        <translation>按名称、地址或分支筛选</translation>
    </message>
    <message numerus="yes">
        <source>%n project(s)</source>
        <translation>
            <numerusform>%n 个项目</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::ReleaseDryRun</name>
    <message>
        <source>Reading %1 failed (exit %2): %3</source>
        <translation>读取 %1 失败（退出码 %2）：%3</translation>
    </message>
    <message>
        <source>Check that the SSH user may read the deploy root.</source>
        <translation>请确认 SSH 用户可以读取部署根目录。</translation>
    </message>
    <message>
        <source>The package %1 is not built yet, so the free disk space was not checked.</source>
        <translation>软件包 %1 尚未构建，因此未检查可用磁盘空间。</translation>
    </message>
    <message>
        <source>The host key has CHANGED: the server offers %1, known_hosts holds %2. Verify the new key on the server, then remove the old one (releasedesk-cli hostkeys forget %3).</source>
        <translation>主机密钥已变更：服务器提供 %1，known_hosts 中为 %2。请在服务器上核实新密钥，然后删除旧密钥（releasedesk-cli hostkeys forget %3）。</translation>
    </message>
    <message>
        <source>The host key %1 is revoked in known_hosts. Find out why before releasing to %2.</source>
        <translation>主机密钥 %1 在 known_hosts 中已被吊销。发布到 %2 之前请查明原因。</translation>
    </message>
    <message>
        <source>The host key %1 is not known yet, so the deploy root was not read. Compare it with the server&apos;s, then trust it (releasedesk-cli hostkeys scan --accept %2).</source>
        <translation>主机密钥 %1 尚未登记，因此未读取部署根目录。请与服务器上的密钥比对后再信任它（releasedesk-cli hostkeys scan --accept %2）。</translation>
    </message>
    <message>
        <source>Signing in or reading the deploy root failed: %1</source>
        <translation>登录或读取部署根目录失败：%1</translation>
    </message>
    <message>
        <source>Not reachable: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>This task holds the lock already; the release takes it back.</source>
        <translation>本任务已持有该锁；发布会重新接管它。</translation>
    </message>
    <message>
        <source>Locked by %1 (heartbeat %2 s ago): another release is under way. Wait for it, or break the lock if its owner is gone (releasedesk-cli release break-lock).</source>
        <translation>被 %1 锁定（心跳于 %2 秒前）：另一个发布正在进行。请等待它完成，或在持有者已不存在时解除该锁（releasedesk-cli release break-lock）。</translation>
    </message>
    <message>
        <source>No release is current, so there is nothing to patch. Make a full release first.</source>
        <translation>当前没有运行中的版本，无从打补丁。请先进行一次全量发布。</translation>
    </message>
    <message>
        <source>Runs commit %1, not the patch&apos;s base %2. Make a full release, or a patch from %1.</source>
        <translation>运行的是提交 %1，而不是补丁的基准 %2。请进行全量发布，或基于 %1 制作补丁。</translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <source>Does not keep %1 (it has: %2). Roll back to a release every server keeps.</source>
        <translation>未保留 %1（现有：%2）。请回滚到所有服务器都保留的版本。</translation>
    </message>
    <message>
        <source>no releases</source>
        <translation>没有版本</translation>
    </message>
    <message>
        <source>Runs %1 already.</source>
        <translation>已在运行 %1。</translation>
    </message>
    <message>
        <source>Only %1 free on the deploy root, less than the %2 package. Free some space (fewer kept releases, old logs) first.</source>
        <translation>部署根目录只剩 %1 可用，小于 %2 的软件包。请先释放空间（减少保留版本、清理旧日志）。</translation>
    </message>
    <message>
        <source>Only %1 free on the deploy root, less than three times the %2 package.</source>
        <translation>部署根目录只剩 %1 可用，不足 %2 软件包的三倍。</translation>
    </message>
    <message>
        <source>create %1 with releases/, shared/ and .releasedesk/</source>
        <translation>创建 %1 及其 releases/、shared/ 和 .releasedesk/</translation>
    </message>
    <message>
        <source>lock %1/.releasedesk/lock</source>
        <translation>加锁 %1/.releasedesk/lock</translation>
    </message>
    <message>
        <source>size unknown</source>
        <translation>大小未知</translation>
    </message>
    <message>
        <source>upload %1 (%2) to %3</source>
        <translation>上传 %1（%2）到 %3</translation>
    </message>
    <message numerus="yes">
        <source>copy releases/%1 as hard links, delete %n path(s), extract the patch into %2</source>
        <translation>
            <numerusform>以硬链接复制 releases/%1，删除 %n 个路径，将补丁解压到 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>unpack into %1</source>
        <translation>解压到 %1</translation>
    </message>
    <message>
        <source>link the shared paths %1</source>
        <translation>链接共享路径 %1</translation>
    </message>
    <message numerus="yes">
        <source>before-release hook (%n line(s))</source>
        <translation>
            <numerusform>发布前钩子（%n 行）</numerusform>
        </translation>
    </message>
    <message>
        <source>canary: switched before the other servers</source>
        <translation>金丝雀：先于其他服务器切换</translation>
    </message>
    <message>
        <source>wait until the canaries are promoted</source>
        <translation>等待金丝雀被晋级</translation>
    </message>
    <message>
        <source>wait for batch %1 of %2</source>
        <translation>等待第 %1 批（共 %2 批）</translation>
    </message>
    <message>
        <source>switch current -&gt; releases/%1 (now %2)</source>
        <translation>切换 current -&gt; releases/%1（当前 %2）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message numerus="yes">
        <source>after-release hook (%n line(s))</source>
        <translation>
            <numerusform>发布后钩子（%n 行）</numerusform>
        </translation>
    </message>
    <message>
        <source>health: run `%1` in %2</source>
        <translation>健康检查：在 %2 中运行 `%1`</translation>
    </message>
    <message>
        <source>health: GET %1, expect %2</source>
        <translation>健康检查：GET %1，期望 %2</translation>
    </message>
    <message>
        <source>remove the old releases %1</source>
        <translation>删除旧版本 %1</translation>
    </message>
    <message>
        <source>unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>The package is made when the release starts, so the free disk space was not compared with it.</source>
        <translation>软件包在发布开始时才生成，因此未将可用磁盘空间与它比较。</translation>
    </message>
    <message>
        <source>the package</source>
        <translation>软件包</translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation>完整包：%1</translation>
    </message>
    <message>
        <source>whole package: there is no current release to build on</source>
        <translation>完整包：没有可作为基础的当前版本</translation>
    </message>
    <message>
        <source>whole package: it runs commit %1, not the delta&apos;s base %2</source>
        <translation>完整包：它运行的是提交 %1，而不是增量的基础 %2</translation>
    </message>
    <message>
        <source>delta from %1 (made when the release starts), if its live release is as it was unpacked</source>
        <translation>基于 %1 的增量（发布开始时生成），前提是其当前版本与解包时一致</translation>
    </message>
    <message numerus="yes">
        <source>delta: %n file(s), %1, if its live release is as it was unpacked (else the whole package)</source>
        <translation>
            <numerusform>增量：%n 个文件，%1，前提是其当前版本与解包时一致（否则发送完整包）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::ReleaseEngine</name>
    <message>
        <source>%1 was cancelled.</source>
        <translation>“%1”已取消。</translation>
    </message>
    <message>
        <source>%1 did not finish within %2 s and was stopped.</source>
        <translation>“%1”未在 %2 秒内完成，已被终止。</translation>
    </message>
    <message>
        <source>Raise the time limit or find out what it waits for.</source>
        <translation>请提高超时时间，或查明它在等待什么。</translation>
    </message>
    <message>
        <source>%1 failed with exit code %2: %3</source>
        <translation>“%1”失败，退出码 %2：%3</translation>
    </message>
    <message>
        <source>%1 was killed by signal %2: %3</source>
        <translation>“%1”被信号 %2 终止：%3</translation>
    </message>
    <message>
        <source>%1 There is no previous release to switch back to.</source>
        <translation>%1 没有可以切回的上一个版本。</translation>
    </message>
    <message>
        <source>%1 The server was switched back to %2.</source>
        <translation>%1 服务器已切回 %2。</translation>
    </message>
    <message>
        <source>Not switched: %1 of %2 servers failed, more than the failure budget of %3.</source>
        <translation>未切换：%2 台服务器中有 %1 台失败，超过了允许的失败数 %3。</translation>
    </message>
    <message>
        <source>could not take the lock: %1</source>
        <translation>无法获取锁：%1</translation>
    </message>
    <message>
        <source>Not started: another release holds the deploy lock (%1).</source>
        <translation>未开始：另一个发布持有部署锁（%1）。</translation>
    </message>
    <message>
        <source>Not started: the release was aborted.</source>
        <translation>未开始：发布已被中止。</translation>
    </message>
    <message>
        <source>Not started: %1 of %2 servers could not be prepared, more than the failure budget of %3.</source>
        <translation>未开始：%2 台服务器中有 %1 台无法准备，超过了失败预算 %3。</translation>
    </message>
    <message>
        <source>%1 is on the server: nothing to upload.</source>
        <translation>%1 已在服务器上：无需上传。</translation>
    </message>
    <message>
        <source>Nothing to unpack for a rollback.</source>
        <translation>回滚无需解压。</translation>
    </message>
    <message>
        <source>%1 Switching back to %2 failed too: %3 Check the server now: it runs the new release.</source>
        <translation>%1 切换回 %2 也失败了：%3 请立即检查服务器：它运行的是新版本。</translation>
    </message>
    <message>
        <source>%1 canary servers run %2; the rest follows after %3 s of healthy checks, or when promoted.</source>
        <translation>%1 台金丝雀服务器运行 %2；健康检查持续 %3 秒后或推广时，其余服务器跟进。</translation>
    </message>
    <message>
        <source>%1 canary servers run %2; promote to release the other %3 servers.</source>
        <translation>%1 台金丝雀服务器运行 %2；推广后将发布其余 %3 台服务器。</translation>
    </message>
    <message>
        <source>Refused: another release holds the deploy lock (%1).</source>
        <translation>已拒绝：另一个发布持有部署锁（%1）。</translation>
    </message>
    <message>
        <source>%1 of %2 servers run %3; %4 failed.</source>
        <translation>%2 台服务器中 %1 台运行 %3；%4 台失败。</translation>
    </message>
    <message>
        <source>Held after %1 of %2 servers; %3 server(s) wait for the next batch.</source>
        <translation>已在 %2 台服务器中的 %1 台完成后暂停；%3 台服务器等待下一批次。</translation>
    </message>
    <message>
        <source>The patch goes to the server with the patch command.</source>
        <translation>补丁随打补丁命令一起发送到服务器。</translation>
    </message>
    <message>
        <source>The patch went to the server with the lock command.</source>
        <translation>补丁随加锁命令一起发送到服务器。</translation>
    </message>
    <message>
        <source>whole package: %1</source>
        <translation>完整包：%1</translation>
    </message>
    <message>
        <source>its live release is not the delta&apos;s base</source>
        <translation>其当前版本不是增量的基础</translation>
    </message>
    <message>
        <source>Aborted: switched back to %1.</source>
        <translation>已中止：已切回 %1。</translation>
    </message>
    <message>
        <source>Aborted.</source>
        <translation>已中止。</translation>
    </message>
    <message numerus="yes">
        <source>%n canary server(s) switched back to the release they ran before.</source>
        <translation>
            <numerusform>%n 台金丝雀服务器已切回之前运行的版本。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 servers run %3.</source>
        <translation>%2 台服务器中有 %1 台运行 %3。</translation>
    </message>
    <message numerus="yes">
        <source>%n server(s) failed; each one says why.</source>
        <translation>
            <numerusform>%n 台服务器失败；各自说明了原因。</numerusform>
        </translation>
    </message>
    <message>
        <source>The deploy lock could not be released on: %1.</source>
        <translation>以下服务器的部署锁未能释放：%1。</translation>
    </message>
    <message>
        <source>The deploy locks are released.</source>
        <translation>部署锁已释放。</translation>
    </message>
    <message>
        <source>No after-release hook.</source>
        <translation>没有发布后钩子。</translation>
    </message>
    <message>
        <source>No health check.</source>
        <translation>没有健康检查。</translation>
    </message>
</context>
<context>
    <name>rd::ReleaseForm</name>
    <message>
        <source>Branch</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Fresh complete unpack (no delta)</source>
        <translation>重新完整解包（不用增量）</translation>
    </message>
    <message>
        <source>Start at</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Fetch the mirror before packaging</source>
        <translation>打包前拉取镜像仓库</translation>
    </message>
    <message>
        <source>Fetch now</source>
        <translation>立即拉取</translation>
    </message>
    <message>
        <source>Preview plan…</source>
        <translation>预览计划…</translation>
    </message>
    <message>
        <source>Start release</source>
        <translation>开始发布</translation>
    </message>
    <message>
        <source>What this release is for (shown in the history)</source>
        <translation>此次发布的用途（显示在历史中）</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>环境：</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>描述：</translation>
    </message>
    <message>
        <source>What is going out</source>
        <translation>发布内容</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Start the release (Ctrl+Return)</source>
        <translation>开始发布（Ctrl+Return）</translation>
    </message>
    <message>
        <source>%1 commit(s) and %2 file(s) since the live release %3.</source>
        <translation>自线上版本 %3 以来有 %1 个提交、%2 个文件变更。</translation>
    </message>
    <message>
        <source>Going back: %1 commit(s) are removed and %2 file(s) change against the live release %3.</source>
        <translation>回退：相对于线上版本 %3，将移除 %1 个提交，%2 个文件发生变更。</translation>
    </message>
    <message>
        <source>Commits</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Fetching…</source>
        <translation>正在拉取…</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Full — every server, one switch window</source>
        <translation>全量发布 — 所有服务器，在同一切换窗口内</translation>
    </message>
    <message>
        <source>Rolling — in batches, within a failure budget</source>
        <translation>滚动发布 — 分批次进行，不超出失败预算</translation>
    </message>
    <message>
        <source>Gray — canaries first, then promote</source>
        <translation>灰度发布 — 先发布金丝雀，再晋级</translation>
    </message>
    <message>
        <source>Patch — only the files changed since the live release</source>
        <translation>补丁发布 — 仅包含自线上版本以来变更的文件</translation>
    </message>
    <message>
        <source> server(s)</source>
        <translation> 台服务器</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>wait for Promote</source>
        <translation>等待“晋级”</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批次大小：</translation>
    </message>
    <message>
        <source>Failure budget:</source>
        <translation>失败预算：</translation>
    </message>
    <message>
        <source>Auto-promote after:</source>
        <translation>自动晋级延时：</translation>
    </message>
    <message>
        <source>After the first release, each server whose live release is still as it was unpacked gets only the changed files (hard links for the rest). Tick this to send every server the whole package instead.</source>
        <translation>首次发布之后，当前版本仍与解包时一致的服务器只会收到改动的文件（其余文件为硬链接）。勾选此项则向每台服务器发送完整包。</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Release to (untick to leave out):</source>
        <translation>发布到（取消勾选以排除）：</translation>
    </message>
    <message>
        <source>Canary lane (drag servers here):</source>
        <translation>金丝雀通道（将服务器拖到此处）：</translation>
    </message>
    <message>
        <source>Hooks and health</source>
        <translation>钩子与健康检查</translation>
    </message>
    <message>
        <source>After download (build, here)</source>
        <translation>下载后（构建，在本机）</translation>
    </message>
    <message>
        <source>Before release</source>
        <translation>发布前</translation>
    </message>
    <message>
        <source>After release</source>
        <translation>发布后</translation>
    </message>
    <message>
        <source>e.g. curl -fsS http://127.0.0.1:8080/health</source>
        <translation>例如 curl -fsS http://127.0.0.1:8080/health</translation>
    </message>
    <message>
        <source>e.g. http://{host}:8080/health ({host} and {server} are filled in)</source>
        <translation>例如 http://{host}:8080/health（会自动填入 {host} 和 {server}）</translation>
    </message>
    <message>
        <source>Command on the server:</source>
        <translation>服务器上的命令：</translation>
    </message>
    <message>
        <source>HTTP check URL:</source>
        <translation>HTTP 检查 URL：</translation>
    </message>
    <message>
        <source>Expected status:</source>
        <translation>预期状态码：</translation>
    </message>
    <message>
        <source>A server whose check fails is switched back to its previous release.</source>
        <translation>检查失败的服务器会切换回其上一个版本。</translation>
    </message>
    <message>
        <source>Health check</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <source>Add a project and an environment with servers first.</source>
        <translation>请先添加项目以及包含服务器的环境。</translation>
    </message>
    <message>
        <source>Reading the mirror…</source>
        <translation>正在读取镜像仓库…</translation>
    </message>
    <message>
        <source>No local mirror of %1 yet: press &quot;Fetch now&quot;.</source>
        <translation>尚无 %1 的本地镜像仓库：请点击“立即拉取”。</translation>
    </message>
    <message>
        <source>%1  [live]</source>
        <translation>%1  [线上]</translation>
    </message>
    <message>
        <source>Choose a commit or a tag.</source>
        <translation>请选择提交或标签。</translation>
    </message>
    <message>
        <source>Releasing %1 at %2</source>
        <translation>发布 %1，提交 %2</translation>
    </message>
    <message>
        <source>No release of this environment is recorded here yet: everything goes out.</source>
        <translation>此处尚无该环境的发布记录：将发布全部内容。</translation>
    </message>
    <message>
        <source>The servers run this commit already.</source>
        <translation>服务器已在运行此提交。</translation>
    </message>
    <message>
        <source>Comparing with the live release…</source>
        <translation>正在与线上版本比较…</translation>
    </message>
    <message>
        <source>Canaries get the release first; the task then waits for Promote (or the auto-promote time with healthy checks).</source>
        <translation>金丝雀先获得该发布；随后任务等待“晋级”（或在健康检查正常的情况下等到自动晋级时间）。</translation>
    </message>
    <message>
        <source>The canary lane is used by gray releases only.</source>
        <translation>金丝雀通道仅用于灰度发布。</translation>
    </message>
    <message>
        <source>Choose an environment.</source>
        <translation>请选择环境。</translation>
    </message>
    <message>
        <source>Add a project and an environment first.</source>
        <translation>请先添加项目和环境。</translation>
    </message>
    <message>
        <source>Choose what to release: a commit of a branch, or a tag.</source>
        <translation>选择要发布的内容：分支的某个提交，或一个标签。</translation>
    </message>
    <message>
        <source>Fetch the mirror if the list is empty.</source>
        <translation>如果列表为空，请拉取镜像仓库。</translation>
    </message>
    <message>
        <source>No server is ticked.</source>
        <translation>未勾选任何服务器。</translation>
    </message>
    <message>
        <source>Tick the servers to release to.</source>
        <translation>勾选要发布到的服务器。</translation>
    </message>
</context>
<context>
    <name>rd::ReleaseTask</name>
    <message>
        <source>%1: stage %2 failed: %3</source>
        <translation>%1：阶段 %2 失败：%3</translation>
    </message>
    <message>
        <source>Promoted.</source>
        <translation>已推广。</translation>
    </message>
    <message>
        <source>promoted: the other servers follow</source>
        <translation>已推广：其余服务器跟进</translation>
    </message>
    <message>
        <source>Task %1 has already run (%2).</source>
        <translation>任务 %1 已经运行过（%2）。</translation>
    </message>
    <message>
        <source>Retry or resume it instead, or start a new task.</source>
        <translation>请改为重试或继续它，或者新建任务。</translation>
    </message>
    <message>
        <source>Task %1 is %2 in process %3 on %4.</source>
        <translation>任务 %1 在 %4 上的进程 %3 中处于%2状态。</translation>
    </message>
    <message>
        <source>Promote or abort it instead.</source>
        <translation>请推广或中止它。</translation>
    </message>
    <message>
        <source>Wait for it to finish, or abort it.</source>
        <translation>请等待它结束，或中止它。</translation>
    </message>
    <message>
        <source>Task %1 succeeded on every server: there is nothing to retry.</source>
        <translation>任务 %1 在所有服务器上都已成功：没有需要重试的。</translation>
    </message>
    <message>
        <source>Task %1 never started (%2).</source>
        <translation>任务 %1 从未开始（%2）。</translation>
    </message>
    <message>
        <source>Start a new task with the same settings.</source>
        <translation>请用相同的设置新建任务。</translation>
    </message>
    <message>
        <source>Task %1 is a %2 release, not a gray one: there is nothing to promote.</source>
        <translation>任务 %1 是 %2 发布，不是灰度发布：没有可推广的。</translation>
    </message>
    <message>
        <source>Task %1 is not waiting for promotion (%2).</source>
        <translation>任务 %1 没有在等待推广（%2）。</translation>
    </message>
    <message>
        <source>Task %1 is already over (%2).</source>
        <translation>任务 %1 已经结束（%2）。</translation>
    </message>
    <message>
        <source>%1 release of %2 (%3) to %4/%5 by %6</source>
        <translation>%6 将 %2（%3）以 %1 方式发布到 %4/%5</translation>
    </message>
    <message>
        <source>resumed: every server runs its unfinished stages again</source>
        <translation>已继续：每台服务器重新运行其未完成的阶段</translation>
    </message>
    <message>
        <source>aborted: releasing the deploy locks</source>
        <translation>已中止：正在释放部署锁</translation>
    </message>
    <message>
        <source>The task journal could not be written: %1</source>
        <translation>无法写入任务记录：%1</translation>
    </message>
</context>
<context>
    <name>rd::ServerListModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
</context>
<context>
    <name>rd::ServerTableModel</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
</context>
<context>
    <name>rd::ServersPane</name>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>The hosts ReleaseDesk deploys to, with the key it logs in with. Select several to delete them together, or drag them into an environment.</source>
        <translation>ReleaseDesk 部署的目标主机及其登录密钥。可多选后一起删除，或拖入某个环境。</translation>
    </message>
    <message>
        <source>web-01</source>
        <translation>web-01</translation>
    </message>
    <message>
        <source>host name, IPv4 or IPv6 address</source>
        <translation>主机名、IPv4 或 IPv6 地址</translation>
    </message>
    <message>
        <source>empty: the key&apos;s user</source>
        <translation>留空：使用密钥的用户</translation>
    </message>
    <message>
        <source>comma separated, e.g. web, eu-west</source>
        <translation>以逗号分隔，例如 web, eu-west</translation>
    </message>
    <message>
        <source>Deploy to this server</source>
        <translation>部署到此服务器</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Filter by name, host, department, owner or tag</source>
        <translation>按名称、主机、部门、负责人或标签筛选</translation>
    </message>
    <message>
        <source>Check connection</source>
        <translation>检查连接</translation>
    </message>
    <message>
        <source>Connect to the selected servers, sign in and run `true` (%1)</source>
        <translation>连接选中的服务器，登录并运行 `true`（%1）</translation>
    </message>
    <message>
        <source>Scan host keys</source>
        <translation>扫描主机密钥</translation>
    </message>
    <message>
        <source>Fetch the host keys of the selected servers to approve them together (%1)</source>
        <translation>获取选中服务器的主机密钥，以便一起批准（%1）</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n 台服务器</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>rd::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>The --lang option, when given, overrides the language chosen here.</source>
        <translation>如果指定了 --lang 选项，它优先于此处选择的语言。</translation>
    </message>
</context>
<context>
    <name>rd::SshPool</name>
    <message>
        <source>%1 was not added to this run.</source>
        <translation>%1 未加入本次运行。</translation>
    </message>
    <message>
        <source>The connection to %1 is already closed; this job was not run.</source>
        <translation>到 %1 的连接已经关闭；此任务未执行。</translation>
    </message>
</context>
<context>
    <name>rd::SshWorker</name>
    <message>
        <source>Cancelled before connecting to %1.</source>
        <translation>在连接 %1 之前已取消。</translation>
    </message>
    <message>
        <source>Cancelled before it started on %1.</source>
        <translation>在 %1 上开始之前已取消。</translation>
    </message>
</context>
<context>
    <name>rd::Startup</name>
    <message>
        <source>ReleaseDesk</source>
        <translation>ReleaseDesk</translation>
    </message>
    <message>
        <source>The language &quot;%1&quot; is not available. Use --lang en or --lang zh_CN.</source>
        <translation>语言“%1”不可用。请使用 --lang en 或 --lang zh_CN。</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>The demo could not be set up: %1</source>
        <translation>无法设置演示：%1</translation>
    </message>
    <message>
        <source>Demo ready: three sshd servers run on this machine. Press Start release; try a gray release to demo/prod and a rollback from the history next.</source>
        <translation>演示已就绪：本机上运行着三台 sshd 服务器。点击“开始发布”；接下来可以试试向 demo/prod 进行灰度发布，以及从历史中回滚。</translation>
    </message>
</context>
<context>
    <name>rd::TaskRunner</name>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>before download</source>
        <translation>下载前</translation>
    </message>
    <message>
        <source>download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>build</source>
        <translation>构建</translation>
    </message>
    <message>
        <source>package</source>
        <translation>打包</translation>
    </message>
    <message>
        <source>The task has not been created yet.</source>
        <translation>任务尚未创建。</translation>
    </message>
    <message>
        <source>This runner already has a task.</source>
        <translation>此运行器已有任务。</translation>
    </message>
    <message>
        <source>Start the new task in a new window.</source>
        <translation>请在新窗口中开始新任务。</translation>
    </message>
    <message>
        <source>There is no project &quot;%1&quot;.</source>
        <translation>没有项目“%1”。</translation>
    </message>
    <message>
        <source>Fetching %1</source>
        <translation>正在获取 %1</translation>
    </message>
    <message>
        <source>%1, %2 bytes</source>
        <translation>%1，%2 字节</translation>
    </message>
    <message>
        <source>Task %1 is still running.</source>
        <translation>任务 %1 仍在运行。</translation>
    </message>
    <message>
        <source>Wait for it, or abort it.</source>
        <translation>请等待它完成，或中止它。</translation>
    </message>
    <message>
        <source>There is no task to run.</source>
        <translation>没有可运行的任务。</translation>
    </message>
    <message>
        <source>Stopped before any server was touched.</source>
        <translation>在触及任何服务器之前已停止。</translation>
    </message>
</context>
<context>
    <name>rd::TaskWindow</name>
    <message>
        <source>%p% of the stages</source>
        <translation>已完成 %p% 的阶段</translation>
    </message>
    <message>
        <source>Preparing: %1</source>
        <translation>准备中：%1</translation>
    </message>
    <message>
        <source>Failed before any server was touched</source>
        <translation>尚未操作任何服务器即失败</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>已计划</translation>
    </message>
    <message>
        <source>Starts at %1 while ReleaseDesk (or &quot;releasedesk-cli release run --wait&quot;) runs.</source>
        <translation>将于 %1 开始，前提是 ReleaseDesk（或“releasedesk-cli release run --wait”）正在运行。</translation>
    </message>
    <message>
        <source>Held after a batch</source>
        <translation>已在批次后暂停</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Pause after batch</source>
        <translation>批次后暂停</translation>
    </message>
    <message>
        <source>Hold before the next batch; untick to go on</source>
        <translation>在下一批次前暂停；取消勾选以继续</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Promote</source>
        <translation>晋级</translation>
    </message>
    <message>
        <source>Release the rest: the canaries are fine</source>
        <translation>发布其余服务器：金丝雀运行正常</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>Stop the task and release its locks; servers keep the release they run</source>
        <translation>停止任务并释放其锁；服务器保留其当前运行的版本</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <source>Run only the failed servers again, from the stage that failed</source>
        <translation>仅重新运行失败的服务器，从失败的阶段开始</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Continue an interrupted task where each server stopped</source>
        <translation>从每台服务器停止的位置继续已中断的任务</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>Switch every server back to the release before this one</source>
        <translation>将所有服务器切换回本次之前的版本</translation>
    </message>
    <message>
        <source>Find in log</source>
        <translation>在日志中查找</translation>
    </message>
    <message>
        <source>Search the log that has focus</source>
        <translation>在当前获得焦点的日志中搜索</translation>
    </message>
    <message>
        <source>Task log</source>
        <translation>任务日志</translation>
    </message>
    <message>
        <source>%1/%2 · %3 · %4 release · %5</source>
        <translation>%1/%2 · %3 · %4 发布 · %5</translation>
    </message>
    <message>
        <source>%1/%2 %3 — ReleaseDesk</source>
        <translation>%1/%2 %3 — ReleaseDesk</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <source>Waiting for promotion</source>
        <translation>等待晋级</translation>
    </message>
    <message>
        <source>Canaries released</source>
        <translation>金丝雀已发布</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Release succeeded</source>
        <translation>发布成功</translation>
    </message>
    <message>
        <source>Release failed</source>
        <translation>发布失败</translation>
    </message>
    <message>
        <source>ReleaseDesk</source>
        <translation>ReleaseDesk</translation>
    </message>
    <message>
        <source>Aborting</source>
        <translation>正在中止</translation>
    </message>
    <message>
        <source>No earlier successful release of %1/%2 is recorded here. Roll back from the history or with &quot;releasedesk-cli release rollback&quot; to a release the servers keep.</source>
        <translation>此处没有 %1/%2 更早的成功发布记录。请从历史中或使用“releasedesk-cli release rollback”回滚到服务器保留的版本。</translation>
    </message>
    <message>
        <source>The task is running</source>
        <translation>任务正在运行</translation>
    </message>
    <message>
        <source>Abort the task and close? Servers keep the release they run and the locks are released.</source>
        <translation>中止任务并关闭？服务器将保留其当前运行的版本，锁也会被释放。</translation>
    </message>
</context>
<context>
    <name>rd::VaultPasswordDialog</name>
    <message>
        <source>Unlock the vault</source>
        <translation>解锁保管库</translation>
    </message>
    <message>
        <source>Stored private keys and passphrases are encrypted with your master password. Enter it to use them, or cancel to continue with the vault locked.</source>
        <translation>存储的私钥和口令均用主密码加密。输入主密码即可使用它们；取消则在保管库锁定的状态下继续。</translation>
    </message>
    <message>
        <source>Master password</source>
        <translation>主密码</translation>
    </message>
    <message>
        <source>Choose a master password</source>
        <translation>设置主密码</translation>
    </message>
    <message>
        <source>Stored private keys are encrypted with a master password that only you know. Choose it now; it cannot be recovered if it is lost.</source>
        <translation>存储的私钥用只有您知道的主密码加密。请现在设置；主密码一旦丢失将无法找回。</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>再次输入</translation>
    </message>
    <message>
        <source>Change the master password</source>
        <translation>修改主密码</translation>
    </message>
    <message>
        <source>Every stored secret is re-encrypted under the new password in one step.</source>
        <translation>所有存储的机密将一次性用新密码重新加密。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Unlocking… deriving the key takes about a second.</source>
        <translation>正在解锁……派生密钥约需一秒。</translation>
    </message>
    <message>
        <source>Sealing… deriving the keys takes a few seconds.</source>
        <translation>正在加密…派生密钥需要几秒钟。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>The two new passwords differ. Type the same password in both fields.</source>
        <translation>两次输入的新密码不一致。请在两个输入框中输入相同的密码。</translation>
    </message>
</context>
</TS>
