<#
.SYNOPSIS
    Installs (or repairs, updates, removes) the stac_xl Excel add-in for the current user.

.DESCRIPTION
    Per user, no administrator rights:
      1. checks for the known blockers (Microsoft Store Office, the Defender rules that stop
         Office macros from starting programs, macro policies) and says what to do about each;
      2. unpacks a private Python under -Root (python.org's NuGet package: no installer, no
         registry entries, nothing shared with a Python the user already has);
      3. creates a virtual environment there and installs stac_xl[addin] with its pinned xlwings;
      4. builds STAC.xlam, copies it to Excel's XLSTART folder and unblocks it;
      5. self-test: Python imports; Excel (through COM, in a background job with a time limit)
         opens the add-in, runs its SelfTest macro, and a Python round-trip writes a cell in a
         scratch workbook.
    Running it again repairs or updates the install. -Uninstall removes it.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    [switch]$Uninstall,
    [string]$Root = (Join-Path $env:LOCALAPPDATA 'stac_xl'),
    [string]$PythonVersion = '3.11.9',
    # Where the private Python comes from: 'Package' (default, see Install-PrivatePython) or
    # 'Installer' (python.org's installer, for a PC that can reach python.org only).
    [ValidateSet('Package', 'Installer')]
    [string]$PythonFrom = 'Package',
    # Optional: python.org's python.<version>.nupkg, already downloaded (no internet needed).
    [string]$PythonPackage = '',
    # Where stac_xl comes from: this folder (a source checkout or unpacked release) by default.
    [string]$Source = $PSScriptRoot,
    # Optional folder of wheels for machines without internet access (pip --no-index).
    [string]$Wheelhouse = '',
    # The Excel self-test is stopped (and the Excel it started closed) after this long.
    [int]$SelfTestSeconds = 180,
    [switch]$SkipExcelSelfTest
)

$ErrorActionPreference = 'Stop'
# Windows PowerShell 5.1 may offer only TLS 1.0/1.1, which the download hosts refuse.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
# Invoke-WebRequest's progress bar makes a download many times slower in Windows PowerShell 5.1.
$ProgressPreference = 'SilentlyContinue'

$AddinName = 'STAC.xlam'
$XlStart = Join-Path $env:APPDATA 'Microsoft\Excel\XLSTART'
$PyDir = Join-Path $Root 'py'
$Venv = Join-Path $Root 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$PythonMinor = ($PythonVersion -split '\.')[0..1] -join '.'
# Defender attack surface reduction rules that stop the add-in, and why.
$AsrRules = [ordered]@{
    'd4f940ab-401b-4efc-aadc-ad5f3c50688a' = @{
        Name = 'Block all Office applications from creating child processes'
        Why  = 'every button starts cmd.exe, which starts Python (xlwings RunPython), so an exclusion for python.exe does not help'
    }
    '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b' = @{
        Name = 'Block Win32 API calls from Office macros'
        Why  = 'the add-in contains xlwings'' VBA module, which declares Windows API functions'
    }
}

function Say([string]$Text) { Write-Host "stac_xl: $Text" }
function Warn([string]$Text) { Write-Warning "stac_xl: $Text" }
function Fail([string]$Text) { Write-Host "stac_xl: $Text" -ForegroundColor Red; exit 1 }

function ConvertTo-ProcessArgument([string]$Value) {
    # One argument of a Windows command line, quoted so that the program's C runtime
    # (CommandLineToArgvW rules) reads it back as exactly one argument: a path with a space
    # stays whole. Backslashes count only before a quote: they are doubled there, and at the
    # end (before the closing quote); a quote inside becomes \".
    if ($Value -ne '' -and $Value -notmatch '[\s"]') { return $Value }
    $quoted = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $quoted = [regex]::Replace($quoted, '(\\+)$', '$1$1')
    return '"' + $quoted + '"'
}

function Join-ProcessArguments([string[]]$Arguments) {
    # The one command-line string for Start-Process -ArgumentList. Start-Process joins an
    # array with spaces and no quoting, so "TargetDir=C:\Users\John Smith\..." became two
    # arguments; a single pre-quoted string is passed as it is.
    return (($Arguments | ForEach-Object { ConvertTo-ProcessArgument $_ }) -join ' ')
}

function Get-PythonInstallerArguments([string]$TargetDir) {
    return @('/quiet', 'InstallAllUsers=0', 'PrependPath=0', 'Include_launcher=0', 'Include_test=0',
             'Shortcuts=0', 'AssociateFiles=0', "TargetDir=$TargetDir")
}

function Test-ExcelRunning { return [bool](Get-Process -Name EXCEL -ErrorAction SilentlyContinue) }

function Assert-ExcelClosed {
    if (Test-ExcelRunning) { Fail 'Excel is running. Save your work, close Excel, and run install.ps1 again.' }
}

function Test-StoreOffice {
    # Store (AppX) Office runs in a container that cannot start the add-in's Python reliably.
    $appx = Get-AppxPackage -Name 'Microsoft.Office.Desktop*' -ErrorAction SilentlyContinue
    return [bool]$appx
}

function Get-AsrBlockingMode([int]$Action) {
    # Block (1) and Warn (6) stop the add-in; Audit (2), Off (0) and the rest do not. Warn is
    # reported like Block: it blocks until the user clicks through a notice each time, and a
    # hidden cmd.exe started by a macro gets no such chance.
    if ($Action -eq 1) { return 'Block' }
    if ($Action -eq 6) { return 'Warn' }
    return ''
}

function Get-AsrBlockingRules {
    # One sentence per rule above whose mode blocks the add-in (Get-AsrBlockingMode).
    # Rules come from Get-MpPreference and, when set by Group Policy, from its registry key
    # (readable without administrator rights).
    $modes = @{}
    try {
        $pref = Get-MpPreference -ErrorAction Stop
        $ids = @($pref.AttackSurfaceReductionRules_Ids)
        $actions = @($pref.AttackSurfaceReductionRules_Actions)
        for ($i = 0; $i -lt [Math]::Min($ids.Count, $actions.Count); $i++) { $modes["$($ids[$i])".ToLowerInvariant()] = [int]$actions[$i] }
    } catch { }
    $policy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules'
    if (Test-Path -LiteralPath $policy) {
        $values = Get-ItemProperty -LiteralPath $policy
        foreach ($id in $AsrRules.Keys) {
            $value = $values.PSObject.Properties | Where-Object { $_.Name -ieq $id } | Select-Object -First 1
            if ($value -and "$($value.Value)" -match '^\d+$') { $modes[$id] = [int]$value.Value }
        }
    }
    $found = @()
    foreach ($id in $AsrRules.Keys) {
        if (-not $modes.ContainsKey($id)) { continue }
        $mode = Get-AsrBlockingMode $modes[$id]
        if (-not $mode) { continue }
        $rule = $AsrRules[$id]
        $found += ("Microsoft Defender's attack surface reduction rule '$($rule.Name)' ($id) is set to $mode, " +
                   "so the ribbon buttons will fail ('error 70' or 'Permission denied'): $($rule.Why); " +
                   'ask your IT to allow the STAC add-in under this rule.')
    }
    return $found
}

function Get-MacroPolicyProblems {
    $problems = @()
    foreach ($ver in '16.0', '15.0') {
        $key = "HKCU:\Software\Policies\Microsoft\Office\$ver\Excel\Security"
        if (-not (Test-Path -LiteralPath $key)) { continue }
        $p = Get-ItemProperty -LiteralPath $key
        if ($p.VBAWarnings -eq 4) { $problems += "macros are disabled by policy (Office $ver VBAWarnings=4)" }
        if ($p.RequireAddinSig -eq 1) { $problems += "add-ins must be signed by policy (Office $ver RequireAddinSig=1)" }
        if ($p.blockcontentexecutionfrominternet -eq 1) { $problems += "macros from the internet are blocked (files are unblocked below)" }
    }
    return $problems
}

function Test-Blockers {
    if (Test-StoreOffice) {
        Fail ('Office from the Microsoft Store is installed; its Excel cannot run the add-in''s Python. ' +
              'Install the Click-to-Run version of Microsoft 365 (office.com) and run install.ps1 again.')
    }
    foreach ($sentence in Get-AsrBlockingRules) { Warn $sentence }
    foreach ($p in Get-MacroPolicyProblems) { Warn "Excel policy: $p. Ask your IT to allow the STAC add-in." }
}

function Get-RegisteredPython([string]$Hive) {
    # python.org's installer registers "PythonCore\<minor>" (PEP 514); $null if absent.
    $key = "${Hive}:\Software\Python\PythonCore\$PythonMinor\InstallPath"
    if (-not (Test-Path -LiteralPath $key)) { return $null }
    return (Get-ItemProperty -LiteralPath $key).'(default)'
}

function Install-PrivatePython {
    # Why python.org's NuGet package and not its installer: the installer is one registered
    # product per Python minor version and user. When the clerk already has Python 3.11 it
    # ignores TargetDir and repairs or upgrades the clerk's own Python instead, and what it
    # installs is registered (Apps & features, PEP 514 keys) and must be uninstalled through
    # it. The package (the same python.org build, published as "python" for CI machines) is
    # a zip: unpacked into <Root>\py it has no registry entries and cannot collide with any
    # other Python; -Uninstall just removes the folder. It has pip and venv but no Tcl/Tk:
    # nothing in the add-in may need tkinter on Windows, so Sign in must ask for the password
    # with Windows' own credential prompt (issue 9, "Sign in"), not the Tk box it used first.
    $python = Join-Path $PyDir 'python.exe'
    if (Test-Path -LiteralPath $python) { Say "Python found at '$python'"; return $python }
    if ($PythonFrom -eq 'Installer') { Install-PythonWithInstaller } else { Expand-PythonPackage }
    if (-not (Test-Path -LiteralPath $python)) { Fail "Python did not appear at '$python'." }
    $version = & $python -c 'import platform; print(platform.python_version())'
    if ($LASTEXITCODE -ne 0 -or $version -ne $PythonVersion) { Fail "The Python at '$python' does not run as Python $PythonVersion." }
    return $python
}

function Expand-PythonPackage {
    $zip = Join-Path $env:TEMP "stac_xl-python.$PythonVersion.zip"  # Expand-Archive wants .zip
    if ($PythonPackage) {
        Copy-Item -LiteralPath $PythonPackage -Destination $zip -Force
    } else {
        $url = "https://www.nuget.org/api/v2/package/python/$PythonVersion"
        Say "Downloading Python $PythonVersion (python.org's package for unattended installs)..."
        Invoke-WebRequest -Uri $url -OutFile $zip -UseBasicParsing
    }
    $unpacked = Join-Path $Root 'py-unpack'
    if (Test-Path -LiteralPath $unpacked) { Remove-Item -LiteralPath $unpacked -Recurse -Force }
    Say "Unpacking a private Python into '$PyDir' (for this user only, not on PATH, nothing registered)..."
    Expand-Archive -LiteralPath $zip -DestinationPath $unpacked -Force
    $tools = Join-Path $unpacked 'tools'  # the package keeps python.exe and its library here
    if (-not (Test-Path -LiteralPath (Join-Path $tools 'python.exe'))) { Fail "'$zip' is not python.org's Python package (no tools\python.exe)." }
    # A <Root>\py without python.exe is what an interrupted run left: replace it.
    if (Test-Path -LiteralPath $PyDir) { Remove-Item -LiteralPath $PyDir -Recurse -Force }
    Move-Item -LiteralPath $tools -Destination $PyDir
    Remove-Item -LiteralPath $unpacked -Recurse -Force
    Remove-Item -LiteralPath $zip -Force
}

function Install-PythonWithInstaller {
    foreach ($hive in 'HKCU', 'HKLM') {
        $existing = Get-RegisteredPython $hive
        if ($existing) {
            Fail ("Python $PythonMinor is already installed at '$existing', so python.org's installer would " +
                  'change that Python instead of installing a private one: run install.ps1 without -PythonFrom Installer.')
        }
    }
    $url = "https://www.python.org/ftp/python/$PythonVersion/python-$PythonVersion-amd64.exe"
    $installer = Join-Path $env:TEMP "python-$PythonVersion-amd64.exe"
    Say "Downloading Python $PythonVersion from python.org..."
    Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing
    Say 'Installing a private Python (for this user only, not on PATH)...'
    $arguments = Join-ProcessArguments (Get-PythonInstallerArguments $PyDir)
    $proc = Start-Process -FilePath $installer -ArgumentList $arguments -Wait -PassThru
    if ($proc.ExitCode -ne 0) { Fail "The Python installer failed (exit code $($proc.ExitCode))." }
}

function Install-Package([string]$BasePython) {
    if (-not (Test-Path -LiteralPath $VenvPython)) {
        Say "Creating the virtual environment in '$Venv'..."
        & $BasePython -m venv $Venv
        if ($LASTEXITCODE -ne 0) { Fail 'Could not create the virtual environment.' }
    }
    $pipArgs = @('-m', 'pip', 'install', '--upgrade', '--disable-pip-version-check')
    if ($Wheelhouse) { $pipArgs += @('--no-index', '--find-links', $Wheelhouse) }
    Say 'Installing stac_xl and its pinned xlwings...'
    & $VenvPython @pipArgs pip | Out-Null
    & $VenvPython @pipArgs "$Source[addin]"
    if ($LASTEXITCODE -ne 0) { Fail 'pip could not install stac_xl (see the messages above).' }
}

function Install-Addin {
    $buildDir = Join-Path $Root 'addin'
    $interpreter = Join-Path $Venv 'Scripts\python.exe'
    Say 'Building the add-in...'
    # From -Root, so `python -m` runs the installed stac_xl, not a copy in the current folder.
    # scripts/check-install-paths runs this same command line in CI.
    Push-Location -LiteralPath $Root
    try {
        & $VenvPython -m stac_xl.cli addin build --out $buildDir --interpreter $interpreter --sources (Join-Path $Source 'workbook')
        if ($LASTEXITCODE -ne 0) { Fail 'Building STAC.xlam failed (see the messages above).' }
    } finally { Pop-Location }
    New-Item -ItemType Directory -Force -Path $XlStart | Out-Null
    Copy-Item -LiteralPath (Join-Path $buildDir $AddinName) -Destination (Join-Path $XlStart $AddinName) -Force
    # Mark-of-the-Web would make Excel block the add-in's macros silently.
    Get-ChildItem -LiteralPath $Root -Recurse -File | Unblock-File
    Unblock-File -LiteralPath (Join-Path $XlStart $AddinName)
    Say "Add-in installed in '$XlStart'"
}

# Runs in a background job, so a hung Excel (a VBA message box in a hidden window, a
# "file in use" prompt) cannot hang the installer. The first line it writes is Excel's
# process id, for closing that Excel if the time runs out.
$ExcelSelfTest = {
    param([string]$AddinPath, [string]$AddinName)
    $ErrorActionPreference = 'Stop'
    Add-Type -Namespace StacXl -Name Win32 -MemberDefinition (
        '[DllImport("user32.dll")] public static extern uint GetWindowThreadProcessId(System.IntPtr hWnd, out uint processId);')
    $excel = New-Object -ComObject Excel.Application
    $excelPid = [uint32]0
    [void][StacXl.Win32]::GetWindowThreadProcessId([System.IntPtr]$excel.Hwnd, [ref]$excelPid)
    "pid=$excelPid"
    try {
        $excel.Visible = $false
        $excel.DisplayAlerts = $false
        $null = $excel.Workbooks.Open($AddinPath)
        'answer=' + $excel.Run("'$AddinName'!STAC.SelfTest")
        $scratch = $excel.Workbooks.Add()
        $null = $excel.Run("'$AddinName'!STAC.RunAction", 'self_test')
        'cell=' + $scratch.Worksheets.Item(1).Range('A1').Value2
        $scratch.Close($false)
    } finally {
        $excel.Quit()
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($excel)
    }
}

function Invoke-SelfTest {
    & $VenvPython -c "import xlwings, stac_xl; print('python ok', stac_xl.__version__, 'xlwings', xlwings.__version__)"
    if ($LASTEXITCODE -ne 0) { Fail 'Self-test: Python cannot import stac_xl.' }
    if ($SkipExcelSelfTest) { return }
    Say "Self-test: starting Excel in the background (at most $SelfTestSeconds seconds)..."
    $job = Start-Job -ScriptBlock $ExcelSelfTest -ArgumentList (Join-Path $XlStart $AddinName), $AddinName
    $done = Wait-Job -Job $job -Timeout $SelfTestSeconds
    $lines = @(Receive-Job -Job $job -Keep -ErrorAction SilentlyContinue -ErrorVariable jobErrors)
    $values = @{}
    foreach ($line in $lines) { $key, $value = "$line" -split '=', 2; $values[$key] = $value }
    if (-not $done) {
        Stop-Job -Job $job
        if ($values['pid']) { Stop-Process -Id ([int]$values['pid']) -Force -ErrorAction SilentlyContinue }
        Remove-Job -Job $job -Force
        Fail ("Self-test: Excel did not finish within $SelfTestSeconds seconds (probably a message box in the hidden " +
              'Excel), so the installer closed that Excel; open Excel yourself, click ServiceTrade > Help, and send any message you see to support.')
    }
    Remove-Job -Job $job -Force
    if ($job.State -eq 'Failed' -or $jobErrors) {
        $why = if ($jobErrors) { $jobErrors[0].Exception.Message } else { $job.ChildJobs[0].JobStateInfo.Reason.Message }
        Fail "Self-test in Excel failed: $why"
    }
    Say "Self-test: the add-in answered '$($values['answer'])'"
    if ($values['cell'] -ne 'STAC ok') { Fail "Self-test: the Python round-trip did not write to Excel (A1 = '$($values['cell'])')." }
    Say 'Self-test: Excel -> Python -> Excel round-trip ok.'
}

function Uninstall-Stac {
    Assert-ExcelClosed
    $target = Join-Path $XlStart $AddinName
    if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Force; Say "Removed '$target'" }
    Remove-RegisteredPython
    # The default private Python (python.org's package) registered nothing: removing the
    # folder removes it completely.
    if (Test-Path -LiteralPath $Root) { Remove-Item -LiteralPath $Root -Recurse -Force; Say "Removed '$Root'" }
    Say 'Uninstalled. Stored ServiceTrade credentials stay in Windows Credential Manager (service stac_xl); remove them there if you wish.'
}

function Get-OurRegisteredPythonVersions {
    # Versions of the Pythons registered (PEP 514) with their InstallPath in <Root>\py.
    $found = @()
    foreach ($tag in Get-ChildItem -LiteralPath 'HKCU:\Software\Python\PythonCore' -ErrorAction SilentlyContinue) {
        $installPath = Join-Path $tag.PSPath 'InstallPath'
        if (-not (Test-Path -LiteralPath $installPath)) { continue }
        $dir = (Get-ItemProperty -LiteralPath $installPath).'(default)'
        if ($dir -and $dir.TrimEnd('\') -ieq $PyDir.TrimEnd('\')) { $found += (Get-ItemProperty -LiteralPath $tag.PSPath).Version }
    }
    return $found
}

function Remove-RegisteredPython {
    # Only a Python that python.org's installer put in <Root>\py (-PythonFrom Installer, or an
    # install made by an older install.ps1) is registered; uninstall it through its installer
    # so no "Python 3.x" entry is left in Apps & features. Another Python is never touched.
    $versions = @(Get-OurRegisteredPythonVersions)
    if (-not $versions) { return }
    $bundles = Get-ChildItem -LiteralPath 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall' -ErrorAction SilentlyContinue |
        Get-ItemProperty | Where-Object {
            $name = $_.DisplayName
            $_.BundleCachePath -and @($versions | Where-Object { $name -like "Python $_ (*" }).Count -gt 0
        }
    foreach ($bundle in $bundles) {
        Say "Uninstalling $($bundle.DisplayName), which install.ps1 installed in '$PyDir'..."
        $proc = Start-Process -FilePath $bundle.BundleCachePath -ArgumentList (Join-ProcessArguments @('/uninstall', '/quiet')) -Wait -PassThru
        if ($proc.ExitCode -ne 0) { Warn "The Python uninstaller exited with code $($proc.ExitCode); remove '$($bundle.DisplayName)' in Settings > Apps." }
    }
}

if ($Uninstall) { Uninstall-Stac; exit 0 }
Assert-ExcelClosed
Test-Blockers
New-Item -ItemType Directory -Force -Path $Root | Out-Null
$python = Install-PrivatePython
Install-Package $python
Install-Addin
Invoke-SelfTest
Say 'Done. Open Excel: the ServiceTrade tab is on the ribbon.'
